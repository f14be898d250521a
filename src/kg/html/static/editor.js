// The SPARQL editor: YASGUI (vendored, see vendor/yasgui/README.md) on this server's
// endpoint, with the packaged queries as examples that load into the current tab.
// ?example=NAME opens with that example loaded, ?query=TEXT with that text. Nothing is
// fetched from other sites: the class and property autocompleters (an online vocabulary
// service) are turned off.

import { word } from "./ui.js";

const OFFLINE_COMPLETERS = ["prefixes", "variables"];
const ONLINE_COMPLETERS = ["class", "property"];

/** Names for YASGUI's unlabelled widgets (the query text, the endpoint field), and the
 *  add-tab button inside its tab list marked as one of the list's items. */
function labelled(root) {
  root.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach((t) => t.setAttribute("aria-label", word("js_editor_label")));
  root.querySelectorAll("input.autocomplete:not([aria-label])").forEach((i) => i.setAttribute("aria-label", word("js_endpoint")));
  root.querySelectorAll('[role="tablist"] button.addTab:not([role])').forEach((b) => {
    b.setAttribute("role", "tab");
    b.setAttribute("aria-selected", "false");
  });
  root.querySelectorAll(".CodeMirror-scroll[tabindex='-1']").forEach((s) => {
    s.setAttribute("tabindex", "0");  // the code scrolls: reachable from the keyboard
    s.setAttribute("aria-label", word("js_editor_label"));
  });
}

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
  yasgui.on("tabSelect", () => setTimeout(() => { offline(yasgui.getTab()); labelled(root); }, 0));
  yasgui.on("tabAdd", () => setTimeout(() => labelled(root), 0));
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
  labelled(root);
  const asked = new URLSearchParams(location.search);
  if (asked.get("example")) load(asked.get("example"));
  else if (asked.get("query")) current().setQuery(asked.get("query"));  // a page's "list them all"
  root.dataset.ready = "true";
}

main();
