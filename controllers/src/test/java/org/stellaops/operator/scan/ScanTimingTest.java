package org.stellaops.operator.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.stellaops.core.policy.Policy;
import org.stellaops.crds.v1alpha1.ImageScanStatus;

/** When a stored verdict must be judged again (waivers expire by day), and the scan steps' pool. */
class ScanTimingTest {
    static final Policy WAIVERS = Policy.parse("""
            version: "1.0"
            rules:
              - name: waived to the end of a day
                severity: [Critical]
                action: {type: ignore, justification: "rollout", until: "2027-03-10"}
              - name: waived to an instant
                severity: [High]
                action: {type: ignore, justification: "rollout", until: "2027-03-05T12:00:00Z"}
              - name: expired long ago
                severity: [Medium]
                action: {type: ignore, justification: "old", until: "2020-01-01"}
              - name: block the rest
                action: block
            """, "test");

    static ImageScanStatus.Inputs judgedOn(String day) {
        ImageScanStatus.Inputs i = new ImageScanStatus.Inputs();
        i.asOf = day;
        return i;
    }

    @Test
    void aWaiverExpiresOnTheDayAfterItsUntilOrTheFirstDayStartingAfterItsInstant() {
        // the date-time one first: active on 03-05 (evaluated at its start), expired from 03-06
        assertThat(ScanSteps.waiverExpiry(WAIVERS, LocalDate.parse("2027-03-01"))).isEqualTo(LocalDate.parse("2027-03-06"));
        assertThat(ScanSteps.waiverExpiry(WAIVERS, LocalDate.parse("2027-03-05"))).isEqualTo(LocalDate.parse("2027-03-06"));
        // then the date one: it runs to the end of 03-10
        assertThat(ScanSteps.waiverExpiry(WAIVERS, LocalDate.parse("2027-03-06"))).isEqualTo(LocalDate.parse("2027-03-11"));
        assertThat(ScanSteps.waiverExpiry(WAIVERS, LocalDate.parse("2027-03-10"))).isEqualTo(LocalDate.parse("2027-03-11"));
        assertThat(ScanSteps.waiverExpiry(WAIVERS, LocalDate.parse("2027-03-11"))).isNull();
        assertThat(ScanSteps.waiverExpiry(Policy.parse("version: \"1.0\"\nrules: []\n", "empty"), LocalDate.parse("2027-03-01"))).isNull();
    }

    @Test
    void theStoredDayHoldsUntilAWaiverExpiresThenTodayIsJudged() {
        LocalDate today = LocalDate.parse("2027-03-04");
        assertThat(ScanSteps.judgedDay(WAIVERS, null, today)).isEqualTo(today);
        assertThat(ScanSteps.judgedDay(WAIVERS, judgedOn(null), today)).isEqualTo(today);
        // evaluated on 03-01: the same verdict holds through 03-05
        assertThat(ScanSteps.judgedDay(WAIVERS, judgedOn("2027-03-01"), today)).isEqualTo(LocalDate.parse("2027-03-01"));
        assertThat(ScanSteps.judgedDay(WAIVERS, judgedOn("2027-03-01"), LocalDate.parse("2027-03-05")))
                .isEqualTo(LocalDate.parse("2027-03-01"));
        // from 03-06 the high waiver is over: today's verdict
        assertThat(ScanSteps.judgedDay(WAIVERS, judgedOn("2027-03-01"), LocalDate.parse("2027-03-06")))
                .isEqualTo(LocalDate.parse("2027-03-06"));
        assertThat(ScanSteps.judgedDay(WAIVERS, judgedOn("2027-03-01"), LocalDate.parse("2027-04-01")))
                .isEqualTo(LocalDate.parse("2027-04-01"));
        // a clock set back, or an unreadable day: today
        assertThat(ScanSteps.judgedDay(WAIVERS, judgedOn("2027-03-09"), today)).isEqualTo(today);
        assertThat(ScanSteps.judgedDay(WAIVERS, judgedOn("yesterday"), today)).isEqualTo(today);
    }

    @Test
    void theScanLooksAgainAtTheStartOfTheDayAWaiverExpires() {
        Instant now = Instant.parse("2027-03-04T22:00:00Z");
        assertThat(ScanSteps.untilNextChange(WAIVERS, LocalDate.parse("2027-03-04"), now)).isEqualTo(Duration.ofHours(26));
        assertThat(ScanSteps.untilNextChange(WAIVERS, LocalDate.parse("2027-03-11"), now)).isNull();
        // overdue (the stored day is old): at once
        assertThat(ScanSteps.untilNextChange(WAIVERS, LocalDate.parse("2027-03-01"), Instant.parse("2027-03-07T00:00:00Z")))
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aStepRunsOnceWhileAskedAgainTriggersItsScanAndHandsOverItsResultOrError() throws Exception {
        ScanWork work = new ScanWork();
        List<ResourceID> triggered = new CopyOnWriteArrayList<>();
        work.onFinished(triggered::add);
        ResourceID scan = new ResourceID("app", "shop");
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        ScanWork.Step<String> slow = () -> {
            runs.incrementAndGet();
            assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
            return "resolved";
        };
        assertThat(work.run("uid/1/resolve", scan, slow)).isEmpty();
        assertThat(work.run("uid/1/resolve", scan, slow)).isEmpty();
        assertThat(work.running("uid/1/resolve")).isTrue();
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> !work.running("uid/1/resolve"));
        assertThat(triggered).containsExactly(scan);
        Optional<ScanWork.Result<String>> r = work.run("uid/1/resolve", scan, slow);
        assertThat(r).isPresent();
        assertThat(r.get().get()).isEqualTo("resolved");
        assertThat(runs).hasValue(1);

        assertThat(work.run("uid/1/compose", scan, () -> {
            throw new IOException("fragment missing");
        })).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> !work.running("uid/1/compose"));
        var failed = work.run("uid/1/compose", scan, () -> "never");
        assertThat(failed).isPresent();
        assertThat(failed.get().error()).isInstanceOf(IOException.class).hasMessage("fragment missing");
        work.stop(null);
    }
}
