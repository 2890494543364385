// The test renderer's templates: "The document" shows every value the document holds, each
// with its path, so that a test can compare what the frame shows with the document, and a
// button by each that asks the host to hide it (OBFUSCATE); "Packing list" shows its packages.

// The values of a document as its host sends it, and the prefix its paths take there: an
// OpenAttestation v2 document's data (as getData gives it, issuer and template aside), or a
// v3 document's or a W3C credential's subject.
const valuesOf = (document) => {
  const leaves = (value, path, out) => {
    if (value && typeof value === "object") {
      Object.entries(value).forEach(([k, v]) => leaves(v, path ? `${path}.${k}` : k, out));
    } else if (path) {
      out.push([path, value]);
    }
    return out;
  };
  if (document.$template) {
    const { $template, issuers, ...data } = document;
    return { prefix: "", values: leaves(data, "", []) };
  }
  return { prefix: "credentialSubject.", values: leaves(document.credentialSubject, "", []) };
};

// React templates, for the renderer made with TradeTrust's components.
const registry = typeof React === "undefined" ? {} : (() => {
  const h = React.createElement;
  const Values = ({ document, handleObfuscation }) => {
    const { prefix, values } = valuesOf(document);
    return h("main", { id: "values" }, h("h1", null, "As its issuer draws it"),
      h("dl", null, values.flatMap(([path, value]) => [
        h("dt", { key: `t:${path}` }, path),
        h("dd", { key: `d:${path}`, "data-path": path }, h("span", null, String(value)), " ",
          h("button", { type: "button", "data-hide": prefix + path, onClick: () => handleObfuscation(prefix + path) }, "Hide")),
      ])));
  };
  const PackingList = ({ document }) => {
    const { values } = valuesOf(document);
    const packages = values.filter(([path]) => /^packages\./.test(path));
    return h("main", { id: "packing-list" }, h("h1", null, "Packing list"),
      h("ul", null, packages.map(([path, value]) => h("li", { key: path, "data-path": path }, String(value)))));
  };
  const templates = [{ id: "values", label: "The document", template: Values }, { id: "packing", label: "Packing list", template: PackingList }];
  return { BILL_OF_LADING: templates, TEST_CREDENTIAL: templates };
})();
