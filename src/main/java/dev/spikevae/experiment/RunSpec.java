package dev.spikevae.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Where and how a run executes; none of these change what is learnt except the seed.
 *
 * @param seed    the seed of every random stream of the run (initialisation, shuffling, sampling)
 * @param device  one of {@link #DEVICES}
 * @param output  the runs root folder; a run lives in {@code <output>/<name>/<timestamp>-<model>-<dataset>/}
 * @param threads CPU threads; 0 means all cores
 */
public record RunSpec(
        @JsonProperty("seed") long seed,
        @JsonProperty("device") String device,
        @JsonProperty("output") String output,
        @JsonProperty("threads") int threads) {

    /** Values of {@code device}. */
    public static final List<String> DEVICES = List.of("auto", "cpu", "cuda");
}
