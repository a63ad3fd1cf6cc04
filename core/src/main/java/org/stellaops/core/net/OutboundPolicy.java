package org.stellaops.core.net;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which hosts a request chosen by a tenant (a feed URL, a transparency log URL) may reach. The host must be allowed by
 * name when a host list is configured, and every address it resolves to must be allowed: link-local (169.254.0.0/16,
 * fe80::/10, which hold the cloud metadata services), loopback, unspecified, multicast and the known metadata addresses
 * outside those ranges (Alibaba's 100.100.100.200, AWS's fd00:ec2::254) are refused unless a configured CIDR allows
 * them; private ranges are refused only when {@code allowPrivate} is off.
 *
 * <p>Callers check every URL they connect to, redirects included (follow them one by one). The JVM caches a resolved
 * name (networkaddress.cache.ttl, 30 s by default), so the connection made right after the check uses the address
 * checked. CIDR matching is a few lines over {@link InetAddress#getAddress()}; no library in the build does it for
 * both IPv4 and IPv6.
 */
public final class OutboundPolicy {
    private static final List<Cidr> DENIED = List.of(Cidr.parse("169.254.0.0/16"), Cidr.parse("fe80::/10"),
            Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"), Cidr.parse("0.0.0.0/8"), Cidr.parse("::/128"),
            Cidr.parse("100.100.100.200/32"), Cidr.parse("fd00:ec2::254/128"), Cidr.parse("224.0.0.0/4"),
            Cidr.parse("ff00::/8"), Cidr.parse("255.255.255.255/32"));
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final List<Cidr> PRIVATE = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("172.16.0.0/12"),
            Cidr.parse("192.168.0.0/16"), Cidr.parse("100.64.0.0/10"), Cidr.parse("fc00::/7"));

    /** Resolves a host name to its addresses (the system resolver; tests give their own). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final List<String> allowedHosts;
    private final List<Cidr> allowedCidrs;
    private final boolean allowPrivate;
    private final boolean unrestricted;
    private final Resolver resolver;

    private OutboundPolicy(List<String> allowedHosts, List<Cidr> allowedCidrs, boolean allowPrivate, boolean unrestricted,
                           Resolver resolver) {
        this.allowedHosts = allowedHosts;
        this.allowedCidrs = allowedCidrs;
        this.allowPrivate = allowPrivate;
        this.unrestricted = unrestricted;
        this.resolver = resolver;
    }

    /**
     * A policy from configuration.
     *
     * @param allowedHosts host names that may be reached ({@code example.com}, or {@code *.example.com} for its
     *                     subdomains); empty: any host whose addresses are allowed
     * @param allowedCidrs address ranges allowed even where the defaults refuse them (for example {@code 127.0.0.1/32}
     *                     for a mirror on the node)
     * @param allowPrivate whether private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) may be reached
     */
    public static OutboundPolicy of(List<String> allowedHosts, List<String> allowedCidrs, boolean allowPrivate) {
        return of(allowedHosts, allowedCidrs, allowPrivate, InetAddress::getAllByName);
    }

    public static OutboundPolicy of(List<String> allowedHosts, List<String> allowedCidrs, boolean allowPrivate, Resolver resolver) {
        List<String> hosts = new ArrayList<>();
        for (String h : allowedHosts) {
            if (!h.isBlank()) {
                hosts.add(h.trim().toLowerCase(Locale.ROOT));
            }
        }
        List<Cidr> cidrs = new ArrayList<>();
        for (String c : allowedCidrs) {
            if (!c.isBlank()) {
                cidrs.add(Cidr.parse(c.trim()));
            }
        }
        return new OutboundPolicy(List.copyOf(hosts), List.copyOf(cidrs), allowPrivate, false, resolver);
    }

    /** No restriction: for requests the user of a command line chose on their own machine. */
    public static OutboundPolicy unrestricted() {
        return new OutboundPolicy(List.of(), List.of(), true, true, InetAddress::getAllByName);
    }

    /**
     * Checks a URL before it is requested: http(s) only, the host allowed by name, every resolved address allowed.
     * Throws naming the URL's host and the rule, never anything the server sent.
     */
    public void check(URI uri) throws OutboundException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new OutboundException("only http and https URLs may be fetched");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new OutboundException("the URL has no host");
        }
        if (unrestricted) {
            return;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (!allowedHosts.isEmpty() && !hostAllowed(name)) {
            throw new OutboundException("host " + name + " is not in the allowed hosts (stella.outbound.allowed-hosts)");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(name);
        } catch (UnknownHostException e) {
            throw new OutboundException("host " + name + " does not resolve");
        }
        if (addresses.length == 0) {
            throw new OutboundException("host " + name + " does not resolve");
        }
        for (InetAddress a : addresses) {
            String why = refused(a);
            if (why != null) {
                throw new OutboundException("host " + name + " resolves to " + a.getHostAddress() + ", " + why
                        + " (allow it with stella.outbound.allowed-cidrs)");
            }
        }
    }

    private boolean hostAllowed(String name) {
        for (String h : allowedHosts) {
            if (h.startsWith("*.") ? name.endsWith(h.substring(1)) : name.equals(h)) {
                return true;
            }
        }
        return false;
    }

    /** Why an address is refused, or null when it is allowed. */
    String refused(InetAddress a) {
        byte[] b = a.getAddress();
        if (NAT64.contains(a)) { // 64:ff9b::/96 reaches the IPv4 address in its last four bytes
            try {
                String embedded = refused(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
                if (embedded != null) {
                    return embedded + " (through NAT64)";
                }
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        for (Cidr c : allowedCidrs) {
            if (c.contains(a)) {
                return null;
            }
        }
        for (Cidr c : DENIED) {
            if (c.contains(a)) {
                return "a link-local, loopback, metadata or otherwise non-routable address";
            }
        }
        if (!allowPrivate) {
            for (Cidr c : PRIVATE) {
                if (c.contains(a)) {
                    return "a private address (stella.outbound.allow-private is off)";
                }
            }
        }
        return null;
    }

    /** An address range: network address and prefix length. */
    record Cidr(byte[] network, int bits) {
        static Cidr parse(String s) {
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            if (!addr.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("not an address range (CIDR): " + s);
            }
            byte[] net;
            try {
                net = InetAddress.getByName(addr).getAddress(); // a literal: no lookup
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an address range (CIDR): " + s);
            }
            int bits = slash < 0 ? net.length * 8 : Integer.parseInt(s.substring(slash + 1));
            if (bits < 0 || bits > net.length * 8) {
                throw new IllegalArgumentException("prefix length out of range: " + s);
            }
            return new Cidr(net, bits);
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((b[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
