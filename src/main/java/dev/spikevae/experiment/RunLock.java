package dev.spikevae.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The exclusive lock a training process holds on its run folder: an OS lock ({@link FileChannel#tryLock}) on
 * {@code run.lock}, whose content names the holder (PID, host, start time). A second process fails at once with a
 * message naming the holder. The OS releases the lock when its process dies, however it dies; a lock file that
 * still names a holder but is not locked was left by a process that died (a stale lock) and is taken over, which
 * {@link #staleHolder()} reports.
 */
public final class RunLock implements AutoCloseable {
    /** The lock file's name inside a run folder. */
    public static final String FILE = "run.lock";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Thrown when another process (or another run in this one) holds the run. */
    public static final class HeldException extends IllegalStateException {
        HeldException(String message) {
            super(message);
        }
    }

    /** The run folders this process holds, with their holder descriptions (closing a second channel on a locked
     *  file may release the process's lock on some systems, so this process never opens one). */
    private static final java.util.Map<Path, String> HELD = new java.util.concurrent.ConcurrentHashMap<>();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private final String staleHolder;

    private RunLock(Path key, FileChannel channel, FileLock lock, String staleHolder) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
        this.staleHolder = staleHolder;
    }

    /** Takes the run folder's lock or fails at once with {@link HeldException} naming the holder. */
    public static RunLock acquire(Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        Path key = runDir.toAbsolutePath().normalize();
        String mine = describe(holderJson());
        String before = HELD.putIfAbsent(key, mine);
        if (before != null) {
            throw new HeldException("run " + runDir + " is in use by " + before + "; wait for it to end or stop it ("
                    + file + ")");
        }
        try {
            return open(runDir, file, key);
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static String holderJson() {
        ObjectNode me = JSON.createObjectNode();
        me.put("pid", ProcessHandle.current().pid());
        me.put("host", host());
        me.put("started", STARTED.toString());
        return me.toString();
    }

    private static final Instant STARTED = ProcessHandle.current().info().startInstant().orElse(Instant.now());

    private static RunLock open(Path runDir, Path file, Path key) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException(file + ": cannot open the run lock (" + e.getMessage() + ")", e);
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this process holds it already (another run of the same folder)
        } catch (IOException e) {
            ch.close();
            throw new IOException(file + ": cannot lock the run (" + e.getMessage() + ")", e);
        }
        String previous = read(ch);
        if (lock == null) {
            ch.close();
            throw new HeldException("run " + runDir + " is in use by " + describe(previous)
                    + "; wait for it to end or stop it (" + file + ")");
        }
        String stale = previous.isBlank() ? null : describe(previous);
        byte[] bytes = (holderJson() + "\n").getBytes(StandardCharsets.UTF_8);
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(bytes), 0);
        ch.force(true);
        return new RunLock(key, ch, lock, stale);
    }

    /** The holder a stale lock named (a process that died holding the run), or null. */
    public String staleHolder() {
        return staleHolder;
    }

    /** Clears the holder and releases the lock. */
    @Override
    public void close() throws IOException {
        try {
            channel.truncate(0);
            channel.force(true);
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
                HELD.remove(key);
            }
        }
    }

    private static String read(FileChannel ch) throws IOException {
        long size = Math.min(ch.size(), 4096);
        ByteBuffer b = ByteBuffer.allocate((int) size);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // read until full
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    /** "process 123 on host x (started 2026-...)" from a lock file's content, or a fallback for an unreadable one. */
    static String describe(String content) {
        try {
            JsonNode n = JSON.readTree(content);
            if (n != null && n.isObject()) {
                return "process " + n.path("pid").asText("?") + " on host " + n.path("host").asText("?")
                        + " (started " + n.path("started").asText("?") + ")";
            }
        } catch (IOException e) {
            // fall through
        }
        return "another process";
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null ? "unknown" : env;
        }
    }
}
