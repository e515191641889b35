package app.newsletter.abuse;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;

@ApplicationScoped
class RateLimitHousekeeping {

    private final RateWindows limiter;
    private final ProofOfWork proofOfWork;

    RateLimitHousekeeping(RateWindows limiter, ProofOfWork proofOfWork) {
        this.limiter = limiter;
        this.proofOfWork = proofOfWork;
    }

    @Scheduled(identity = "rate-limit-purge", every = "${newsletter.housekeeping-interval}", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void purge() {
        limiter.purge();
        proofOfWork.purgeSpent();
    }
}
