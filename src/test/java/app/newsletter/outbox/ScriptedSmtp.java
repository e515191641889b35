package app.newsletter.outbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP server that answers as real ones do when they refuse: a recipient whose address contains "refused" gets
 * {@code 550 5.1.1} at RCPT (no such user), one containing "policy" gets {@code 550 5.7.1} (refused for the
 * message, not the address), and one containing "busy" gets {@code 451 4.7.1} (slow down) for the first
 * {@link #busyAnswers} attempts. Every other mail is taken and its recipient recorded.
 */
final class ScriptedSmtp {

    static final AtomicInteger busyAnswers = new AtomicInteger();
    static final List<String> delivered = new CopyOnWriteArrayList<>();
    private static ServerSocket server;

    private ScriptedSmtp() {
    }

    static synchronized int start() {
        if (server == null) {
            try {
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread acceptor = new Thread(ScriptedSmtp::accept, "scripted-smtp");
            acceptor.setDaemon(true);
            acceptor.start();
        }
        return server.getLocalPort();
    }

    private static void accept() {
        while (true) {
            try {
                Socket socket = server.accept();
                Thread session = new Thread(() -> serve(socket), "scripted-smtp-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void serve(Socket socket) {
        try (socket;
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = socket.getOutputStream()) {
            reply(out, "220 scripted ESMTP");
            String recipient = null;
            String line;
            while ((line = in.readLine()) != null) {
                String command = line.toUpperCase(Locale.ROOT);
                if (command.startsWith("EHLO") || command.startsWith("HELO")) {
                    reply(out, "250 scripted");
                } else if (command.startsWith("MAIL FROM")) {
                    recipient = null;
                    reply(out, "250 2.1.0 OK");
                } else if (command.startsWith("RCPT TO")) {
                    String to = line.substring(line.indexOf('<') + 1, line.lastIndexOf('>'));
                    if (to.contains("refused")) {
                        reply(out, "550 5.1.1 <" + to + ">: Recipient address rejected: User unknown");
                    } else if (to.contains("policy")) {
                        reply(out, "550 5.7.1 Message rejected under local policy");
                    } else if (to.contains("busy") && busyAnswers.getAndDecrement() > 0) {
                        reply(out, "451 4.7.1 Too many messages, slow down");
                    } else {
                        recipient = to;
                        reply(out, "250 2.1.5 OK");
                    }
                } else if (command.equals("DATA")) {
                    reply(out, "354 go ahead");
                    while ((line = in.readLine()) != null && !line.equals(".")) {
                        // the message itself is not kept
                    }
                    delivered.add(recipient);
                    reply(out, "250 2.0.0 queued");
                } else if (command.equals("QUIT")) {
                    reply(out, "221 bye");
                    return;
                } else {
                    reply(out, "250 OK"); // RSET, NOOP
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
