package app.newsletter.staff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Cases the database-backed ExportTest does not reach: COPY's bytes in, the file's bytes out. */
class CsvCellsTest {

    @Test
    void formula_cells_are_neutralised_inside_and_outside_quotes() throws IOException {
        assertEquals("a,b\r\n'-1,\"'=x,y\"\r\n\"'\rz\",'\tq\r\n\"\"\"=not a formula\",\"\"\r\n",
                finish("a,b\n-1,\"=x,y\"\n\"\rz\",\tq\n\"\"\"=not a formula\",\"\"\n", 2));
    }

    @Test
    void newlines_inside_quotes_stay_and_line_ends_become_crlf() throws IOException {
        assertEquals("n\r\n\"a \"\"q\"\"\nb, c\"\r\n", finish("n\n\"a \"\"q\"\"\nb, c\"\n", 1));
    }

    @Test
    void timestamps_become_whole_utc_seconds_and_the_header_is_left_alone() throws IOException {
        assertEquals("at,x,also_at\r\n2026-01-10T10:00:00Z,'-,2026-01-10T10:00:59Z\r\n,,\r\n",
                finish("at,x,also_at\n2026-01-10 10:00:00+00,-,2026-01-10 10:00:59.999999+00\n,,\n", 3, 0, 2));
    }

    @Test
    void the_result_does_not_depend_on_how_the_input_is_cut() throws IOException {
        String copy = "t,n\n2026-01-10 10:00:00.5+00,\"=a\nb\"\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CsvCells cells = new CsvCells(out, 2, 0);
        for (byte b : copy.getBytes(StandardCharsets.UTF_8)) {
            cells.write(b);
        }
        cells.flush();
        assertEquals(finish(copy, 2, 0), out.toString(StandardCharsets.UTF_8));
    }

    private static String finish(String copy, int columns, int... timestamps) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CsvCells cells = new CsvCells(out, columns, timestamps);
        cells.write(copy.getBytes(StandardCharsets.UTF_8));
        cells.flush();
        return out.toString(StandardCharsets.UTF_8);
    }
}
