// Titles as TrustVC (@trustvc/trustvc, pinned in package.json) moves and reads them on a chain,
// for Token Registry v4 and v5 alike (it tells them apart by the contracts' interfaces, as
// TradeTrust's website does).
//
//   node oracle-titles.mjs endorsement-chain < requests.jsonl
//       each {"rpc", "registry", "tokenId"}: {"chain": [{type, transactionHash, owner, holder}, …]}
//       oldest first (fetchEndorsementChain), or {"error": message}
//   node oracle-titles.mjs act < steps.jsonl
//       each {"rpc", "privateKey", "registry", "tokenId", "action", "beneficiary"?, "holder"?}, in
//       order: the action (Corridor's name for it) taken by TrustVC's token registry function,
//       without a remark, and confirmed: {"hash"}, or {"error": message}
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);
// Answers go to standard output, one line each; what the packages print goes to standard error.
const emit = (value) => process.stdout.write(JSON.stringify(value) + "\n");
console.log = (...args) => console.error(...args);

const trustvc = require("@trustvc/trustvc");
const { fetchEndorsementChain } = trustvc;
const { providers, utils, Wallet } = require("ethers");

// Corridor's action names, as TrustVC's functions take them: (registry, tokenId, step) → call.
const actions = {
  mint: (tokenRegistryAddress, tokenId, s) => [trustvc.mint, { tokenRegistryAddress },
    { beneficiaryAddress: s.beneficiary, holderAddress: s.holder, tokenId }],
  nominate: (tokenRegistryAddress, tokenId, s) => [trustvc.nominate, { tokenRegistryAddress, tokenId },
    { newBeneficiaryAddress: s.beneficiary }],
  endorse: (tokenRegistryAddress, tokenId, s) => [trustvc.transferBeneficiary, { tokenRegistryAddress, tokenId },
    { newBeneficiaryAddress: s.beneficiary }],
  "transfer-holder": (tokenRegistryAddress, tokenId, s) => [trustvc.transferHolder, { tokenRegistryAddress, tokenId },
    { holderAddress: s.holder }],
  "transfer-owners": (tokenRegistryAddress, tokenId, s) => [trustvc.transferOwners, { tokenRegistryAddress, tokenId },
    { newBeneficiaryAddress: s.beneficiary, newHolderAddress: s.holder }],
  surrender: (tokenRegistryAddress, tokenId) => [trustvc.returnToIssuer, { tokenRegistryAddress, tokenId }, {}],
  "accept-surrender": (tokenRegistryAddress, tokenId) => [trustvc.acceptReturned, { tokenRegistryAddress }, { tokenId }],
  "reject-surrender": (tokenRegistryAddress, tokenId) => [trustvc.rejectReturned, { tokenRegistryAddress }, { tokenId }],
};

const lines = [];
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim()) lines.push(JSON.parse(line));
}

const [command] = process.argv.slice(2);
switch (command) {
  case "endorsement-chain":
    for (const { rpc, registry, tokenId } of lines) {
      const provider = new providers.JsonRpcProvider(rpc);
      try {
        // TrustVC compares the registry's address with the events' checksummed ones.
        const chain = await fetchEndorsementChain(utils.getAddress(registry), tokenId, provider);
        emit({
          chain: chain.map(({ type, transactionHash, owner, holder }) => ({ type, transactionHash, owner, holder })),
        });
      } catch (e) {
        emit({ error: String(e && e.message) });
      }
    }
    break;
  case "act":
    for (const step of lines) {
      const signer = new Wallet(step.privateKey, new providers.JsonRpcProvider(step.rpc));
      try {
        const [call, contract, params] = actions[step.action](utils.getAddress(step.registry), step.tokenId, step);
        const tx = await call(contract, signer, params, {});
        await tx.wait();
        emit({ hash: tx.hash });
      } catch (e) {
        emit({ error: String(e && e.message) });
      }
    }
    break;
  default:
    console.error("usage: node oracle-titles.mjs endorsement-chain|act < input.jsonl");
    process.exit(2);
}
