package org.stellaops.core.attest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The pre-authentication encoding against the DSSE specification's example and over non-ASCII bytes. */
class DsseTest {
    @Test
    void specificationVector() {
        // protocol.md of secure-systems-lab/dsse: PAE("http://example.com/HelloWorld", "hello world")
        byte[] pae = Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(pae, StandardCharsets.UTF_8)).isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    }

    @Test
    void lengthsAreBytesNotCharacters() {
        String type = "application/vnd.ex\u00e4mple+json"; // ä is two bytes in UTF-8
        byte[] payload = "{\"name\":\"\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9 \u2713 \uD83D\uDD12\"}".getBytes(StandardCharsets.UTF_8);
        byte[] pae = Dsse.pae(type, payload);
        String expectedPrefix = "DSSEv1 " + type.getBytes(StandardCharsets.UTF_8).length + " " + type + " " + payload.length + " ";
        assertThat(type.getBytes(StandardCharsets.UTF_8).length).isEqualTo(type.length() + 1);
        assertThat(payload.length).isGreaterThan(new String(payload, StandardCharsets.UTF_8).length());
        assertThat(new String(pae, StandardCharsets.UTF_8)).startsWith(expectedPrefix)
                .isEqualTo(expectedPrefix + new String(payload, StandardCharsets.UTF_8));
        assertThat(pae.length).isEqualTo(expectedPrefix.getBytes(StandardCharsets.UTF_8).length + payload.length);
    }

    @Test
    void emptyPayload() {
        assertThat(new String(Dsse.pae("t", new byte[0]), StandardCharsets.UTF_8)).isEqualTo("DSSEv1 1 t 0 ");
    }
}
