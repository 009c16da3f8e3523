package io.ctta.runtime.adapt;

/**
 * Creates strategies of one name. Implementations are registered in
 * {@code META-INF/services/io.ctta.runtime.adapt.StrategyProvider} and looked up by
 * {@link StrategyRegistry}; a new strategy is one provider class plus one line there.
 */
public interface StrategyProvider {

    /** The name users write in config and on the command line. */
    String name();

    /** One line that says what the strategy does, for {@code --help} and error messages. */
    String description();

    /**
     * Creates a fresh strategy (same configuration, fresh state) that takes ownership of
     * {@code context.model()}.
     *
     * @throws IllegalArgumentException when a setting is invalid; the message names the key
     */
    AdaptationStrategy create(StrategyContext context);
}
