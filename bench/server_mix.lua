-- wrk script: cycle through the request paths listed one per line in a file.
-- Usage: wrk -s bench/server_mix.lua URL -- PATHS_FILE
local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {
    ["Accept"] = "application/sparql-results+json, text/turtle;q=0.9"
  })
end

local errors = 0
function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
