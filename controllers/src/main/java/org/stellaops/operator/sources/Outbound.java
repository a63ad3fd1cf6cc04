package org.stellaops.operator.sources;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import org.stellaops.core.advisories.InputLimits;
import org.stellaops.core.net.OutboundPolicy;

/** The configured outbound policy and input limits, built once from {@link SourceSettings}. */
@ApplicationScoped
public class Outbound {
    private final OutboundPolicy policy;
    private final InputLimits limits;
    private final String objectKeyPrefix;

    @Inject
    public Outbound(SourceSettings.Outbound outbound, SourceSettings.Limits limits) {
        this.policy = OutboundPolicy.of(outbound.allowedHosts().orElse(List.of()), outbound.allowedCidrs().orElse(List.of()),
                outbound.allowPrivate());
        this.limits = new InputLimits(limits.maxDownloadSize().asLongValue(), limits.maxDocumentSize().asLongValue(),
                limits.maxInflatedSize().asLongValue(), limits.maxZipEntries());
        this.objectKeyPrefix = limits.objectKeyPrefix();
    }

    /** The same from plain values (tests and callers outside CDI). */
    public Outbound(OutboundPolicy policy, InputLimits limits, String objectKeyPrefix) {
        this.policy = policy;
        this.limits = limits;
        this.objectKeyPrefix = objectKeyPrefix;
    }

    /** Checks every URL a tenant chose before it is requested. */
    public OutboundPolicy policy() {
        return policy;
    }

    public InputLimits limits() {
        return limits;
    }

    /** The prefix objectKey sources of a namespace must lie under: {@code imports/<namespace>/}. */
    public String objectKeyPrefix(String namespace) {
        return objectKeyPrefix + namespace + "/";
    }
}
