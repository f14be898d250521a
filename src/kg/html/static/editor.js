// The SPARQL editor: YASGUI (vendored, see vendor/yasgui/README.md) on this server's
// endpoint, with the packaged queries as examples that load into the current tab.
// ?example=NAME opens with that example loaded. Nothing is fetched from other sites:
// the class and property autocompleters (an online vocabulary service) are turned off.

const OFFLINE_COMPLETERS = ["prefixes", "variables"];
const ONLINE_COMPLETERS = ["class", "property"];

function offline(tab) {
  const yasqe = tab.getYasqe();
  for (const name of ONLINE_COMPLETERS) {
    try { yasqe.disableCompleter(name); } catch (_) { /* not registered */ }
  }
}

function main() {
  const root = document.getElementById("yasgui");
  const examples = JSON.parse(document.getElementById("examples").textContent);
  const byName = new Map(examples.map((e) => [e.name, e]));
  const endpoint = `${location.origin}/sparql`;
  const yasgui = new Yasgui(root, {
    requestConfig: { endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    persistenceId: "kg-yasgui",
    yasqe: { autocompleters: OFFLINE_COMPLETERS },
  });
  window.kgYasgui = yasgui;
  const current = () => {
    const tab = yasgui.getTab();
    tab.setEndpoint(endpoint);
    offline(tab);
    return tab;
  };
  yasgui.on("tabSelect", () => setTimeout(() => offline(yasgui.getTab()), 0));
  const load = (name) => {
    const example = byName.get(name);
    if (!example) return;
    const tab = current();
    tab.setQuery(example.text);
    tab.setName(example.name);
    document.querySelectorAll("[data-example]").forEach((b) => b.classList.toggle("active", b.dataset.example === name));
  };
  document.querySelectorAll("[data-example]").forEach((button) =>
    button.addEventListener("click", () => load(button.dataset.example)));
  current();
  const asked = new URLSearchParams(location.search).get("example");
  if (asked) load(asked);
  root.dataset.ready = "true";
}

main();
