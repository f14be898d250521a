-- wrk script: cycle through the request paths listed one per line in a file.
-- Usage: wrk -s bench/server_mix.lua URL -- PATHS_FILE
-- At the end it prints "Cut short: N": answers with status 200 whose body does not end as
-- a JSON document or Turtle does (a server that stops at its timeout may still have sent a 200).
local paths = {}
local i = 0
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  i = math.random(#paths)
  cut = 0
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {
    ["Accept"] = "application/sparql-results+json, text/turtle;q=0.9"
  })
end

function response(status, headers, body)
  if status == 200 and not string.find(string.sub(body, -16), "[}%].]%s*$") then cut = cut + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("cut") end
  io.write(string.format("Cut short: %d\n", total))
end
