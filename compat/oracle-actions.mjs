// TradeTrust's action links as TradeTrust's website makes and opens them, for Corridor's tests.
// The website is not published as a package, so this follows its code as of
// tradetrust-website 9ede505: a link is `encodeQrCode` (src/common/utils/qrCode.ts), the
// action as JSON in `q`; opening one is HomePageContainer.tsx (the `q` parameter as JSON, the
// anchor as JSON, a link naming no chain refused) then `retrieveCertificateByAction`
// (src/sagas/certificate.ts: GET the uri, the document under `document` if it is there,
// decrypted with oa-encryption's decryptString by the anchor's key, else the payload's).
//
//   node oracle-actions.mjs encode '<action JSON>' ['<anchor JSON>']
//       the link through actions.tradetrust.io, its anchor after `#` (as a JSON string)
//   node oracle-actions.mjs open '<link>'
//       prints {"action", "anchor", "document", "text"}: the link read, and the document it
//       names, fetched and opened (and its text); exits 1 saying why when the website would
//       fail to
import { decryptString } from "@govtechsg/oa-encryption";

const [command, ...args] = process.argv.slice(2);
const fail = (why) => {
  process.stderr.write(`${why}\n`);
  process.exit(1);
};

if (command === "encode") {
  const [action, anchor] = args;
  const link = `https://actions.tradetrust.io?q=${encodeURIComponent(JSON.stringify(JSON.parse(action)))}`;
  const full = anchor ? `${link}#${encodeURIComponent(JSON.stringify(JSON.parse(anchor)))}` : link;
  process.stdout.write(`${JSON.stringify(full)}\n`);
} else if (command === "open") {
  const url = new URL(args[0]);
  const query = url.searchParams.get("q");
  if (!query) fail("no action (q) in the link");
  const action = JSON.parse(query);
  const anchorText = decodeURIComponent(url.hash.substr(1));
  const anchor = anchorText ? JSON.parse(anchorText) : {};
  if (action.type !== "DOCUMENT") fail(`The type ${action.type} provided from the action is not supported`);
  if (action.payload.chainId === undefined) fail("the action names no chain (payload.chainId)");
  const { uri, key: payloadKey } = action.payload;
  const key = anchor.key || payloadKey;
  const response = await fetch(uri);
  if (response.status >= 400) fail(`Unable to load the certificate from ${uri}`);
  const body = await response.text();
  const answer = JSON.parse(body);
  let document = answer.document || answer;
  // The document's text as well, for comparing numbers JavaScript would round.
  let text = answer.document ? JSON.stringify(answer.document) : body;
  if (document.type === "OPEN-ATTESTATION-TYPE-1") {
    if (!key) fail(`Unable to decrypt certificate with key=${key} and type=${document.type}`);
    text = decryptString({ ...document, key });
    document = JSON.parse(text);
  }
  process.stdout.write(`${JSON.stringify({ action, anchor, document, text })}\n`);
} else {
  fail("usage: see the head of oracle-actions.mjs");
}
