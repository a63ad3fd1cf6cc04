package org.stellaops.operator.config;

import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Low-cardinality metrics: the operator SDK's per-resource tags (resource name and namespace) are dropped. */
public class Metrics {
    @Produces
    @Singleton
    public MeterFilter lowCardinality() {
        return MeterFilter.ignoreTags("name", "namespace", "resource.name", "resource.namespace");
    }
}
