/**
 * X.509 certificates for the local C2PA signing chain, built with the @peculiar ASN.1
 * schemas and signed by node:crypto. (@peculiar/x509's generator is not used: it loads
 * tsyringe, which refuses to start without a global reflect-metadata polyfill.)
 */
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const OID_COMMON_NAME = '2.5.4.3';
const OID_ORGANIZATION = '2.5.4.10';

/**
 * Extended key usages c2pa-rs accepts for a claim signer (its default EKU list):
 * emailProtection and documentSigning. The leaf carries both so either policy passes.
 */
export const C2PA_SIGNER_EKUS = ['1.3.6.1.5.5.7.3.4', '1.3.6.1.5.5.7.3.36'] as const;

export interface CertificateSpec {
  readonly commonName: string;
  readonly organization: string;
  readonly publicKey: KeyObject;
  /** Signs the certificate: the issuer's key (the subject's own for a self-signed CA). */
  readonly issuerKey: KeyObject;
  /** The issuing CA; absent for the self-signed root. */
  readonly issuer?: { readonly name: asn.Name; readonly keyId: ArrayBuffer };
  readonly isCa: boolean;
  readonly validDays: number;
  readonly extendedKeyUsages?: readonly string[];
}

export interface BuiltCertificate {
  readonly der: Buffer;
  readonly name: asn.Name;
  readonly keyId: ArrayBuffer;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function distinguishedName(commonName: string, organization: string): asn.Name {
  const rdn = (type: string, value: string) =>
    new asn.RelativeDistinguishedName([new asn.AttributeTypeAndValue({ type, value: new asn.AttributeValue({ utf8String: value }) })]);
  return new asn.Name([rdn(OID_COMMON_NAME, commonName), rdn(OID_ORGANIZATION, organization)]);
}

function extension(extnID: string, critical: boolean, value: unknown): asn.Extension {
  return new asn.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** A v3 ES256 certificate: a CA (keyCertSign, cRLSign) or an end-entity signer (digitalSignature + EKUs). */
export function buildCertificate(spec: CertificateSpec): BuiltCertificate {
  const spki = AsnConvert.parse(spec.publicKey.export({ type: 'spki', format: 'der' }), asn.SubjectPublicKeyInfo);
  // RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
  const keyId = toArrayBuffer(createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest());
  const name = distinguishedName(spec.commonName, spec.organization);
  const serial = randomBytes(16);
  // A positive DER INTEGER with no leading zero byte: a first byte of 0x00 (1 in 128 after
  // masking) is "illegal padding" to OpenSSL, and the keys would be unreadable.
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;

  const extensions = [
    extension(asn.id_ce_basicConstraints, true, new asn.BasicConstraints(spec.isCa ? { cA: true, pathLenConstraint: 0 } : { cA: false })),
    extension(
      asn.id_ce_keyUsage,
      true,
      new asn.KeyUsage(spec.isCa ? asn.KeyUsageFlags.keyCertSign | asn.KeyUsageFlags.cRLSign : asn.KeyUsageFlags.digitalSignature),
    ),
    extension(asn.id_ce_subjectKeyIdentifier, false, new asn.SubjectKeyIdentifier(keyId)),
  ];
  if (spec.issuer) {
    extensions.push(extension(asn.id_ce_authorityKeyIdentifier, false, new asn.AuthorityKeyIdentifier({ keyIdentifier: new asn.KeyIdentifier(spec.issuer.keyId) })));
  }
  if (spec.extendedKeyUsages && spec.extendedKeyUsages.length > 0) {
    extensions.push(extension(asn.id_ce_extKeyUsage, false, new asn.ExtendedKeyUsage([...spec.extendedKeyUsages])));
  }

  const now = Date.now();
  const tbs = new asn.TBSCertificate({
    version: asn.Version.v3,
    serialNumber: toArrayBuffer(serial),
    signature: new asn.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    issuer: spec.issuer?.name ?? name,
    subject: name,
    // Backdated an hour so a clock slightly behind still accepts a fresh certificate.
    validity: new asn.Validity({ notBefore: new Date(now - 3_600_000), notAfter: new Date(now + spec.validDays * 86_400_000) }),
    subjectPublicKeyInfo: spki,
    extensions: new asn.Extensions(extensions),
  });
  // X.509 wants the DER ECDSA-Sig-Value (node's default encoding), unlike COSE.
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(tbs)), spec.issuerKey);
  const certificate = new asn.Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: new asn.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    signatureValue: toArrayBuffer(signature),
  });
  return { der: Buffer.from(AsnConvert.serialize(certificate)), name, keyId };
}

/** PEM armour for one DER certificate. */
export function certificatePem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`;
}

/** The subject name and key id of an existing CA certificate, to issue a new leaf under it. */
export function issuerOf(caDer: Uint8Array): { name: asn.Name; keyId: ArrayBuffer } {
  const certificate = AsnConvert.parse(caDer, asn.Certificate);
  const tbs = certificate.tbsCertificate;
  const ski = tbs.extensions?.find((e) => e.extnID === asn.id_ce_subjectKeyIdentifier);
  const keyId = ski
    ? toArrayBuffer(new Uint8Array(AsnConvert.parse(ski.extnValue.buffer, asn.SubjectKeyIdentifier).buffer))
    : toArrayBuffer(createHash('sha1').update(Buffer.from(tbs.subjectPublicKeyInfo.subjectPublicKey)).digest());
  return { name: tbs.subject, keyId };
}
