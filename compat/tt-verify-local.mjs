// tt-verify as the tests and benchmarks run it: on their local chain (or none), and with their
// own DNS.
//
// tt-verify resolves did:ethr DIDs over a chain. Here it gets a resolver that answers with the
// DID document ethr-did-resolver builds for a DID never changed on chain (its controller key is
// its own address), so that the signature is still checked by tt-verify's own recovery.
//
// tt-verify asks dnsprove's default resolvers (public DNS over HTTPS), and no option reaches
// them. With ORACLE_DNS=host:port they are replaced by one asking that nameserver, answering in
// the same shape: a name that does not exist is an answer with no records, a server that does
// not answer is a failure.
import { verificationBuilder, openAttestationVerifiers, isValid } from "@tradetrust-tt/tt-verify";
import { Resolver } from "did-resolver";
import { defaultDnsResolvers } from "@tradetrust-tt/dnsprove";
import { promises as dns } from "node:dns";
import { providers } from "ethers";

if (process.env.ORACLE_DNS) {
  const resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([process.env.ORACLE_DNS]);
  const local = async (domain) => {
    try {
      const records = await resolver.resolveTxt(domain);
      return { AD: false, Answer: records.map((chunks) => ({ name: domain, type: 16, TTL: 60, data: chunks.join("") })) };
    } catch (e) {
      if (e.code === "ENOTFOUND" || e.code === "ENODATA") return { AD: false, Answer: [] };
      throw e;
    }
  };
  defaultDnsResolvers.splice(0, defaultDnsResolvers.length, local);
}

const unchangedEthrDid = new Resolver({
  ethr: async (did, parsed) => {
    const address = parsed.id.split(":").pop();
    const controller = `${did}#controller`;
    return {
      didResolutionMetadata: { contentType: "application/did+ld+json" },
      didDocumentMetadata: {},
      didDocument: {
        "@context": ["https://www.w3.org/ns/did/v1"],
        id: did,
        verificationMethod: [
          { id: controller, type: "EcdsaSecp256k1RecoveryMethod2020", controller: did, blockchainAccountId: `${address}@eip155:1` },
        ],
        authentication: [controller],
        assertionMethod: [controller],
      },
    };
  },
});


export { isValid };

/**
 * tt-verify's `verify` with its default verifiers and the resolver above: on the chain at
 * ORACLE_RPC (a JSON-RPC URL) when it is set, else named mainnet (not reached by the tests).
 */
export const localVerify = () => {
  const chain = process.env.ORACLE_RPC
    ? { provider: new providers.JsonRpcProvider(process.env.ORACLE_RPC) }
    : { network: "mainnet" };
  return verificationBuilder(openAttestationVerifiers, { ...chain, resolver: unchangedEthrDid });
};
