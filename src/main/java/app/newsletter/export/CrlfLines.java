package app.newsletter.export;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * PostgreSQL's COPY ends CSV lines with "\n"; RFC 4180 wants "\r\n". Only line ends outside quotes change: a newline
 * inside a quoted field is data. Tracking quotes by toggling on every '"' is exact for CSV, because an escaped quote
 * ("") toggles twice. The buffer is filled here rather than behind another stream, so a row costs one pass.
 */
final class CrlfLines extends FilterOutputStream {

    private final byte[] buffer = new byte[64 * 1024];
    private int used;
    private boolean quoted;

    CrlfLines(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] { (byte) b }, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        for (int i = offset, end = offset + length; i < end; i++) {
            byte b = bytes[i];
            // Two free bytes: room for "\r\n".
            if (used > buffer.length - 2) {
                drain();
            }
            if (b == '"') {
                quoted = !quoted;
            } else if (b == '\n' && !quoted) {
                buffer[used++] = '\r';
            }
            buffer[used++] = b;
        }
    }

    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    private void drain() throws IOException {
        if (used > 0) {
            out.write(buffer, 0, used);
            used = 0;
        }
    }
}
