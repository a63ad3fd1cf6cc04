package org.stellaops.operator.sources;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.io.IOException;
import org.stellaops.crds.v1alpha1.AdvisoryFeed;

/** Syncs an AdvisoryFeed into the object store (a verified offline kit) and the catalog (revision, advisory index). */
@RBACRule(apiGroups = "", resources = {"configmaps", "secrets"}, verbs = "get")
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
@ControllerConfiguration(name = "advisoryfeed")
public class AdvisoryFeedReconciler extends SyncingReconciler<AdvisoryFeed> {
    @Override
    Sources.Synced sync(AdvisoryFeed feed) throws IOException {
        return sources.syncFeed(feed);
    }

    @Override
    String interval(AdvisoryFeed feed) {
        return feed.getSpec().schedule;
    }

    @Override
    boolean vex() {
        return false;
    }
}
