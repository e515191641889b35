package app.newsletter.web;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
class RateLimitHousekeeping {

    private final RateWindows limiter;

    RateLimitHousekeeping(RateWindows limiter) {
        this.limiter = limiter;
    }

    @Scheduled(identity = "rate-limit-purge", every = "${newsletter.housekeeping-interval}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void purge() {
        limiter.purge();
    }
}
