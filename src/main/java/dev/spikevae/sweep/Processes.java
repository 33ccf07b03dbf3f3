package dev.spikevae.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs a short command (sbatch, squeue, nvidia-smi) and returns what it printed. */
final class Processes {
    private Processes() {
    }

    /** The command's exit code and output (stdout and stderr together). */
    record Output(int code, String text) {
        boolean ok() {
            return code == 0;
        }
    }

    static Output run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Output(p.waitFor(), text.strip());
        } catch (IOException e) {
            return new Output(127, command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Output(130, command.get(0) + ": interrupted");
        }
    }
}
