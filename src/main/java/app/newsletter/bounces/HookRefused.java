package app.newsletter.bounces;

/** A webhook call that is not the relay's (401) or not one the hook can read (400). Says why, never a secret. */
final class HookRefused extends RuntimeException {

    private final int status;

    private HookRefused(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    static HookRefused forged(String reason) {
        return new HookRefused(401, reason);
    }

    static HookRefused malformed(String reason) {
        return new HookRefused(400, reason);
    }

    int status() {
        return status;
    }
}
