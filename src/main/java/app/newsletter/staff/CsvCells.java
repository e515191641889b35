package app.newsletter.staff;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Finishes the CSV that PostgreSQL's COPY writes, in one pass over its bytes as they stream by. This work was done in
 * the SQL first, but there it made the database, the bottleneck of an export, half as fast again as a plain COPY,
 * while the service's own thread sat idle.
 * <ul>
 * <li>Line ends become RFC 4180 "\r\n"; a newline inside a quoted field is data and stays.</li>
 * <li>A cell that begins with = + - @ tab or CR gets a leading ' (OWASP "CSV injection"), inside the quotes if the
 * cell is quoted. Every cell, as before: which columns a person can write into is not this class's business.</li>
 * <li>Timestamp columns, written by PostgreSQL in ISO style in UTC ("2026-01-10 10:00:00.123456+00"), become
 * "2026-01-10T10:00:00Z": whole seconds, cut and not rounded, as to_char did. PostgreSQL never quotes them.</li>
 * </ul>
 * Quotes are tracked by toggling on every '"', which is exact for CSV because an escaped quote ("") toggles twice.
 */
final class CsvCells extends FilterOutputStream {

    private final byte[] buffer = new byte[64 * 1024];
    private final boolean[] timestamps;
    private int used;
    private boolean header = true;
    private int column;
    private boolean quoted;
    private boolean cellStart = true;
    private boolean afterOpeningQuote;
    /** Bytes of the current timestamp read so far, or -1 outside a timestamp column. */
    private int timestamp = -1;
    /** Data rows whose line end is in the buffer or already handed on. */
    private long rowsEnded;
    /** Data rows handed to the stream underneath: what an aborted export's audit entry counts. */
    private long rowsHandedOn;
    /** Whether writing to the stream underneath failed: the client went away. */
    private boolean clientGone;

    /** @param timestampColumns zero-based positions of the timestamp columns */
    CsvCells(OutputStream out, int columns, int... timestampColumns) {
        super(out);
        timestamps = new boolean[columns];
        for (int column : timestampColumns) {
            timestamps[column] = true;
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] { (byte) b }, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        for (int i = offset, end = offset + length; i < end; i++) {
            // Three free bytes: the most one input byte turns into (Z\r\n).
            if (used > buffer.length - 3) {
                drain();
            }
            byte b = bytes[i];
            if (!quoted && (b == ',' || b == '\n')) {
                endCell(b);
            } else if (timestamp >= 0) {
                if (timestamp == 10) {
                    buffer[used++] = 'T';
                } else if (timestamp < 19) {
                    buffer[used++] = b;
                }
                timestamp++;
            } else if (b == '"') {
                afterOpeningQuote = cellStart;
                cellStart = false;
                quoted = !quoted;
                buffer[used++] = b;
            } else {
                if ((cellStart || afterOpeningQuote) && formula(b)) {
                    buffer[used++] = '\'';
                }
                cellStart = false;
                afterOpeningQuote = false;
                buffer[used++] = b;
            }
        }
    }

    private void endCell(byte separator) {
        if (timestamp > 0) {
            buffer[used++] = 'Z';
        }
        if (separator == '\n') {
            buffer[used++] = '\r';
            if (!header) {
                rowsEnded++;
            }
            header = false;
            column = 0;
        } else {
            column++;
        }
        buffer[used++] = separator;
        cellStart = true;
        afterOpeningQuote = false;
        timestamp = !header && column < timestamps.length && timestamps[column] ? 0 : -1;
    }

    private static boolean formula(byte b) {
        return b == '=' || b == '+' || b == '-' || b == '@' || b == '\t' || b == '\r';
    }

    /** The stream underneath, for what must not be filtered (the byte-order mark). */
    OutputStream out() {
        return out;
    }

    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    /** @return whether a write to the client failed (it hung up), as opposed to the database failing */
    boolean clientGone() {
        return clientGone;
    }

    /** @return data rows (not the header) handed to the stream underneath so far */
    long rowsHandedOn() {
        return rowsHandedOn;
    }

    private void drain() throws IOException {
        if (used > 0) {
            // The buffer holds whole rows and the start of the next one; once written, every row ended in it is out.
            long ended = rowsEnded;
            try {
                out.write(buffer, 0, used);
            } catch (IOException e) {
                clientGone = true;
                throw e;
            }
            used = 0;
            rowsHandedOn = ended;
        }
    }
}
