package org.stellaops.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutboundPolicyTest {
    /** A resolver answering from a table, as a cluster DNS would (no lookups leave the test). */
    static OutboundPolicy.Resolver dns(Map<String, String> table) {
        return host -> {
            String a = table.get(host);
            if (a == null && host.matches("[0-9a-fA-F:.]+")) {
                return new InetAddress[] {InetAddress.getByName(host)}; // an address literal: no lookup
            }
            if (a == null) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByName(a)};
        };
    }

    static final OutboundPolicy.Resolver DNS = dns(Map.of(
            "metadata.google.internal", "169.254.169.254",
            "feeds.example.com", "93.184.215.14",
            "mirror.internal", "10.1.2.3",
            "sneaky.example.com", "::ffff:169.254.169.254",
            "v6.example.com", "fe80::1",
            "nat64.example.com", "64:ff9b::a9fe:a9fe",
            "localhost", "127.0.0.1"));

    static OutboundPolicy defaults() {
        return OutboundPolicy.of(List.of(), List.of(), true, DNS);
    }

    @Test
    void metadataAndLinkLocalAddressesAreRefusedByDefault() {
        assertThatThrownBy(() -> defaults().check(URI.create("http://169.254.169.254/latest/meta-data/")))
                .isInstanceOf(OutboundException.class).hasMessageContaining("169.254.169.254").hasMessageContaining("link-local");
        // a name that resolves to the metadata address is judged by the address
        assertThatThrownBy(() -> defaults().check(URI.create("http://metadata.google.internal/computeMetadata/v1/")))
                .isInstanceOf(OutboundException.class).hasMessageContaining("metadata.google.internal resolves to 169.254.169.254");
        assertThatThrownBy(() -> defaults().check(URI.create("https://v6.example.com/feed.json")))
                .isInstanceOf(OutboundException.class).hasMessageContaining("fe80");
        assertThatThrownBy(() -> defaults().check(URI.create("http://[fe80::1%25eth0]/")))
                .isInstanceOf(OutboundException.class);
        assertThatThrownBy(() -> defaults().check(URI.create("http://sneaky.example.com/")))
                .isInstanceOf(OutboundException.class).hasMessageContaining("169.254.169.254");
        assertThatThrownBy(() -> defaults().check(URI.create("http://nat64.example.com/")))
                .isInstanceOf(OutboundException.class).hasMessageContaining("NAT64");
        assertThatThrownBy(() -> defaults().check(URI.create("http://[fd00:ec2::254]/latest/"))).isInstanceOf(OutboundException.class);
        assertThatThrownBy(() -> defaults().check(URI.create("http://100.100.100.200/latest/"))).isInstanceOf(OutboundException.class);
    }

    @Test
    void loopbackOnlyWhenACidrAllowsIt() throws Exception {
        assertThatThrownBy(() -> defaults().check(URI.create("http://localhost:8080/x"))).isInstanceOf(OutboundException.class)
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> defaults().check(URI.create("http://[::1]:8080/x"))).isInstanceOf(OutboundException.class);
        OutboundPolicy p = OutboundPolicy.of(List.of(), List.of("127.0.0.1/32"), true, DNS);
        assertThatCode(() -> p.check(URI.create("http://localhost:8080/x"))).doesNotThrowAnyException();
        // the allowance is exactly the range: the metadata address stays refused
        assertThatThrownBy(() -> p.check(URI.create("http://169.254.169.254/"))).isInstanceOf(OutboundException.class);
    }

    @Test
    void allowedHostsNarrowByNameAndStillCheckAddresses() throws Exception {
        OutboundPolicy p = OutboundPolicy.of(List.of("feeds.example.com", "*.google.internal"), List.of(), true, DNS);
        assertThatCode(() -> p.check(URI.create("https://feeds.example.com/kev.json"))).doesNotThrowAnyException();
        assertThatCode(() -> p.check(URI.create("https://FEEDS.example.com./kev.json"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> p.check(URI.create("https://mirror.internal/kev.json"))).isInstanceOf(OutboundException.class)
                .hasMessageContaining("not in the allowed hosts");
        // allowed by name, refused by address
        assertThatThrownBy(() -> p.check(URI.create("http://metadata.google.internal/"))).isInstanceOf(OutboundException.class)
                .hasMessageContaining("169.254.169.254");
        assertThatThrownBy(() -> p.check(URI.create("https://evilfeeds.example.com/"))).isInstanceOf(OutboundException.class);
    }

    @Test
    void privateRangesFollowTheSetting() throws Exception {
        assertThatCode(() -> defaults().check(URI.create("http://mirror.internal/x"))).doesNotThrowAnyException();
        OutboundPolicy strict = OutboundPolicy.of(List.of(), List.of(), false, DNS);
        assertThatThrownBy(() -> strict.check(URI.create("http://mirror.internal/x"))).isInstanceOf(OutboundException.class)
                .hasMessageContaining("private");
        assertThatCode(() -> OutboundPolicy.of(List.of(), List.of("10.1.0.0/16"), false, DNS).check(URI.create("http://mirror.internal/x")))
                .doesNotThrowAnyException();
    }

    @Test
    void onlyHttpAndHttpsAndUnresolvableHostsAreRefused() {
        assertThatThrownBy(() -> defaults().check(URI.create("file:///etc/passwd"))).isInstanceOf(OutboundException.class);
        assertThatThrownBy(() -> defaults().check(URI.create("ftp://feeds.example.com/x"))).isInstanceOf(OutboundException.class);
        assertThatThrownBy(() -> defaults().check(URI.create("http://nowhere.invalid/x"))).isInstanceOf(OutboundException.class)
                .hasMessageContaining("does not resolve");
    }

    @Test
    void cidrsAreParsedStrictly() {
        assertThatThrownBy(() -> OutboundPolicy.of(List.of(), List.of("example.com/8"), true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutboundPolicy.of(List.of(), List.of("10.0.0.0/33"), true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(OutboundPolicy.Cidr.parse("fe80::/10").bits()).isEqualTo(10);
    }
}
