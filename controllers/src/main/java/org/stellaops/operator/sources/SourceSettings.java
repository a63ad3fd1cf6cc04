package org.stellaops.operator.sources;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/**
 * Bounds and rules for what AdvisoryFeeds and VexSources may read ({@code stella.sources.*}) and where requests that
 * tenants choose may go ({@code stella.outbound.*}: feed and VEX URLs, an Attestation's rekor.url).
 */
public interface SourceSettings {
    /** The label a ConfigMap or Secret must carry, with the value "true", before a source may read it. */
    String OPT_IN_LABEL = "stella-ops.org/source";

    @ConfigMapping(prefix = "stella.sources")
    interface Limits {
        /** One HTTP response of a url source. */
        @WithDefault("512M")
        MemorySize maxDownloadSize();

        /** One document once read or inflated (a ConfigMap key, a zip entry, a gunzipped document). */
        @WithDefault("64M")
        MemorySize maxDocumentSize();

        /** Everything one zip or offline kit inflates to. */
        @WithDefault("1G")
        MemorySize maxInflatedSize();

        /** Entries of one zip. */
        @WithDefault("500000")
        int maxZipEntries();

        /** objectKey sources must lie under this prefix followed by their namespace and a slash. */
        @WithDefault("imports/")
        String objectKeyPrefix();
    }

    @ConfigMapping(prefix = "stella.outbound")
    interface Outbound {
        /** Host names tenants' URLs may name (example.com, or *.example.com); unset: any host whose addresses are allowed. */
        Optional<List<String>> allowedHosts();

        /**
         * Address ranges allowed although refused by default (loopback, link-local, metadata addresses), for example
         * 127.0.0.1/32 for a mirror on the node.
         */
        Optional<List<String>> allowedCidrs();

        /** Whether private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) may be reached. */
        @WithDefault("true")
        boolean allowPrivate();
    }
}
