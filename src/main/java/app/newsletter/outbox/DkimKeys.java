package app.newsletter.outbox;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DKIM private keys as operators hold them, turned into the one form the Vert.x signer reads: bare base64 of a PKCS#8
 * DER RSA key. Accepts a PEM file from {@code openssl genpkey} ({@code BEGIN PRIVATE KEY}), the PKCS#1 form of
 * {@code openssl genrsa} and older tools ({@code BEGIN RSA PRIVATE KEY}), and bare base64 of either DER. Anything else
 * is refused with a sentence saying what to do, because the signer's own error ("Input byte array has wrong 4-byte
 * ending unit") says nothing an operator can act on, and it only came at the first mail.
 */
public final class DkimKeys {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----",
            Pattern.DOTALL);
    /** AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters, DER. */
    private static final byte[] RSA_ALGORITHM = { 0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };

    private DkimKeys() {
    }

    /** A readable RSA key: its PKCS#8 DER and the public half receivers look up in DNS. */
    public record Key(byte[] pkcs8, RSAPrivateCrtKey privateKey) {

        /** What the Vert.x signer wants in {@code quarkus.mailer.dkim.private-key}. */
        public String base64() {
            return Base64.getEncoder().encodeToString(pkcs8);
        }

        public int bits() {
            return privateKey.getModulus().bitLength();
        }

        /** The TXT record's value for {@code <selector>._domainkey.<domain>} (RFC 6376 section 3.6.1). */
        public String dnsRecord() {
            try {
                byte[] publicKey = KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()))
                        .getEncoded();
                return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(publicKey);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("RSA is part of every Java runtime", e);
            }
        }
    }

    /**
     * @param text the key file's content (or the key given inline)
     * @throws IllegalArgumentException with a sentence for the operator when the text is no unencrypted RSA key
     */
    public static Key read(String text) {
        String trimmed = text.strip();
        byte[] der;
        boolean pkcs1;
        Matcher pem = PEM.matcher(trimmed);
        if (pem.find()) {
            String label = pem.group(1);
            switch (label) {
                case "PRIVATE KEY" -> pkcs1 = false;
                case "RSA PRIVATE KEY" -> pkcs1 = true;
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(
                        "the DKIM key is encrypted; store it unencrypted (openssl pkey -in key.pem -out plain.pem)"
                                + " and protect the file instead");
                default -> throw new IllegalArgumentException("the DKIM key file holds a " + label
                        + ", not an RSA private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)");
            }
            if (pem.group(2).contains("Proc-Type:")) {
                throw new IllegalArgumentException("the DKIM key is encrypted; store it unencrypted"
                        + " (openssl pkey -in key.pem -out plain.pem) and protect the file instead");
            }
            der = decode(pem.group(2));
        } else {
            der = decode(trimmed);
            pkcs1 = !looksLikePkcs8(der);
        }
        byte[] pkcs8 = pkcs1 ? wrapPkcs1(der) : der;
        try {
            if (KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(pkcs8)) instanceof RSAPrivateCrtKey key) {
                if (key.getModulus().bitLength() < 1024) {
                    throw new IllegalArgumentException("the DKIM key has " + key.getModulus().bitLength()
                            + " bits; receivers ignore RSA keys under 1024 bits (use 2048)");
                }
                return new Key(pkcs8, key);
            }
            throw new IllegalArgumentException("the DKIM key lacks its CRT parameters; export it with openssl pkey");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the DKIM key is not an unencrypted RSA private key (PEM or base64"
                    + " DER; the Vert.x signer supports RSA only): " + e.getMessage());
        }
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64.replaceAll("\\s+", "").getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the DKIM key is neither PEM nor base64: " + e.getMessage());
        }
    }

    /** PKCS#8 starts SEQUENCE { INTEGER 0, SEQUENCE { OID …: PKCS#1 starts SEQUENCE { INTEGER 0, INTEGER n. */
    private static boolean looksLikePkcs8(byte[] der) {
        int offset = headerLength(der, 0);
        // After the outer header: 02 01 00 (version), then 30 (the AlgorithmIdentifier) only in PKCS#8.
        return der.length > offset + 3 && der[offset] == 0x02 && der[offset + 1] == 0x01
                && der[offset + 3] == 0x30;
    }

    private static int headerLength(byte[] der, int at) {
        if (der.length < at + 2) {
            return der.length;
        }
        int first = der[at + 1] & 0xff;
        return first < 0x80 ? 2 : 2 + (first & 0x7f);
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, rsaEncryption, OCTET STRING { RSAPrivateKey } } (RFC 5208). */
    static byte[] wrapPkcs1(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] { 0x02, 0x01, 0x00 });
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(length(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(length(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] length(int length) {
        if (length < 0x80) {
            return new byte[] { (byte) length };
        }
        byte[] digits = BigInteger.valueOf(length).toByteArray();
        int start = digits[0] == 0 ? 1 : 0;
        byte[] out = new byte[1 + digits.length - start];
        out[0] = (byte) (0x80 | (digits.length - start));
        System.arraycopy(digits, start, out, 1, digits.length - start);
        return out;
    }
}
