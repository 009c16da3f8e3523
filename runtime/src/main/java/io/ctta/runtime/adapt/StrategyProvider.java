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
     * The declared settings of {@code strategies.<name>} (key, type, default, range, doc): the
     * startup check rejects undeclared keys and wrong types with them, {@code ctta config defaults}
     * lists them and reference.conf is checked against them. {@code null} (the default, for test
     * doubles) declares nothing: then no key is checked before {@link #create}.
     */
    default io.ctta.runtime.config.SettingsSchema settingsSchema() {
        return null;
    }

    /**
     * Reads and validates {@code settings} exactly as {@link #create} would, without building a
     * model or a strategy, so that a bad value fails at startup rather than in the model actor.
     *
     * @throws IllegalArgumentException naming the key, the value and what is expected
     */
    default void validateSettings(com.typesafe.config.Config settings) {
    }

    /**
     * Whether its strategies offer {@link AdaptationStrategy#keyScopedState()} (one adaptation state
     * per record key over one shared network): checked at startup for pipelines with
     * {@code scope = key}. False by default.
     */
    default boolean supportsKeyScope() {
        return false;
    }

    /**
     * Creates a fresh strategy (same configuration, fresh state) that takes ownership of
     * {@code context.model()}.
     *
     * @throws IllegalArgumentException when a setting is invalid; the message names the key
     */
    AdaptationStrategy create(StrategyContext context);
}
