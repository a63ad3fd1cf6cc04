package org.stellaops.operator.sources;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.io.IOException;
import org.stellaops.crds.v1alpha1.VexSource;

/** Fetches and parses a VexSource's documents every refreshInterval; stores them and their revision. */
@RBACRule(apiGroups = "", resources = {"configmaps", "secrets"}, verbs = "get")
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
@ControllerConfiguration(name = "vexsource")
public class VexSourceReconciler extends SyncingReconciler<VexSource> {
    @Override
    Sources.Synced sync(VexSource source) throws IOException {
        return sources.syncVex(source);
    }

    @Override
    String interval(VexSource source) {
        return source.getSpec().refreshInterval;
    }

    @Override
    boolean vex() {
        return true;
    }
}
