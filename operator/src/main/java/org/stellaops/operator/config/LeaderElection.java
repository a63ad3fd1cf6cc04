package org.stellaops.operator.config;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Leader election: of all replicas (or an accidental second process) only the holder of the Lease {@value #LEASE} in
 * the operator's own namespace reconciles; the others keep serving the REST API and take over when the holder stops
 * renewing (within the lease duration). A replica that loses the lease while running shuts down (exit code 1, the
 * kubelet restarts it as a candidate), so it never writes status next to the new leader; a replica that is being
 * stopped just lets the lease run out. quarkus-operator-sdk turns this on for the profiles of
 * {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (production by default).
 */
@Singleton
public class LeaderElection {
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);
    public static final String LEASE = "stella-operator";
    static final Duration LEASE_DURATION = Duration.ofSeconds(15);
    static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
    static final Duration RETRY_PERIOD = Duration.ofSeconds(2);
    private final AtomicBoolean stopping = new AtomicBoolean();

    /**
     * The Lease's namespace is the client's (the pod's own namespace in a cluster); the identity is the pod name
     * ({@code HOSTNAME}).
     */
    @Produces
    @Singleton
    @Unremovable // looked up by quarkus-operator-sdk at start, injected nowhere
    LeaderElectionConfiguration leaderElection() {
        return new LeaderElectionConfiguration(LEASE, null, LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD, null,
                new LeaderCallbacks(() -> LOG.info("leading: reconciling"), this::lost, leader -> LOG.infof("leader: %s", leader)),
                false);
    }

    private void lost() {
        if (stopping.get()) {
            return; // stopping anyway: the lease expires and another replica takes over
        }
        LOG.error("lost the leader lease: stopping so that only the new leader writes status");
        Quarkus.asyncExit(1);
    }

    // before the operator is stopped (which ends its leadership)
    void stop(@Observes @Priority(1) ShutdownEvent e) {
        stopping.set(true);
    }
}
