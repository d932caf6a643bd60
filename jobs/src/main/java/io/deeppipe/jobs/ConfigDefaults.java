package io.deeppipe.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults, in this order: the command-line flag (picocli, before this is asked) →
 * {@code --config FILE} (HOCON; a key may sit at top level or in a block named after the command)
 * → {@code conf/<command>.conf} (the directory named by {@code -Ddeeppipe.conf.dir} or
 * {@code DEEPPIPE_CONF_DIR}, else the copy bundled in the jar).
 */
public final class ConfigDefaults implements IDefaultValueProvider {
  public static final String CONF_DIR_PROPERTY = "deeppipe.conf.dir";

  private final Config user;
  private final String userFile;
  private final Map<String, Config> builtIn = new java.util.HashMap<>();

  private ConfigDefaults(Config user, String userFile) {
    this.user = user;
    this.userFile = userFile;
  }

  /** Reads the {@code --config} file named in {@code args}, if any. */
  public static ConfigDefaults fromArgs(String[] args) {
    String file = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        file = args[i + 1];
      } else if (args[i].startsWith("--config=")) {
        file = args[i].substring("--config=".length());
      }
    }
    if (file == null) {
      return new ConfigDefaults(ConfigFactory.empty(), null);
    }
    Path path = Path.of(file);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new UsageException("--config " + file + " does not exist or is not a readable file");
    }
    try {
      Config config =
          ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF))
              .resolve();
      return new ConfigDefaults(config, file);
    } catch (ConfigException e) {
      throw new UsageException("--config " + file + " is not valid HOCON: " + e.getMessage());
    }
  }

  /** The defaults bundled for {@code command} ({@code conf/<command>.conf}). */
  public Config builtIn(String command) {
    return builtIn.computeIfAbsent(command, ConfigDefaults::loadBuiltIn);
  }

  private static Config loadBuiltIn(String command) {
    String dir = System.getProperty(CONF_DIR_PROPERTY, System.getenv("DEEPPIPE_CONF_DIR"));
    String name = command + ".conf";
    try {
      if (dir != null && new File(dir, name).isFile()) {
        return ConfigFactory.parseFile(new File(dir, name)).resolve();
      }
      return ConfigFactory.parseResources(ConfigDefaults.class, "/conf/" + name).resolve();
    } catch (ConfigException e) {
      throw new IllegalStateException("conf/" + name + " is not valid HOCON: " + e.getMessage(), e);
    }
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
      return null;
    }
    String command = arg.command().name();
    String key = key(option);
    for (Config c : List.of(scoped(user, command), user, builtIn(command))) {
      if (c.hasPath(quote(key))) {
        return render(c.getValue(quote(key)));
      }
    }
    return null;
  }

  /** Refuses keys in the user's file that are not options of {@code command} (typos are not silently ignored). */
  public void checkKeys(CommandLine.Model.CommandSpec command, Set<String> commandNames) {
    if (userFile == null) {
      return;
    }
    Set<String> known =
        command.options().stream().map(ConfigDefaults::key).collect(Collectors.toCollection(TreeSet::new));
    Set<String> unknown = new TreeSet<>();
    for (String k : user.root().keySet()) {
      if (commandNames.contains(k)) {
        continue;
      }
      if (!known.contains(k)) {
        unknown.add(k);
      }
    }
    Config scoped = scoped(user, command.name());
    for (String k : scoped.root().keySet()) {
      if (!known.contains(k)) {
        unknown.add(command.name() + "." + k);
      }
    }
    if (!unknown.isEmpty()) {
      throw new UsageException(
          "--config " + userFile + " has keys that are not options of '" + command.name() + "': " + unknown
              + " (known: " + known + ")");
    }
  }

  private static Config scoped(Config c, String command) {
    String path = quote(command);
    return c.hasPath(path) && c.getValue(path).valueType() == ConfigValueType.OBJECT
        ? c.getConfig(path)
        : ConfigFactory.empty();
  }

  static String key(OptionSpec option) {
    return option.longestName().replaceFirst("^-+", "");
  }

  private static String quote(String key) {
    return "\"" + key + "\"";
  }

  private static String render(ConfigValue value) {
    if (value.valueType() == ConfigValueType.LIST) {
      return ((List<?>) value.unwrapped()).stream().map(String::valueOf).collect(Collectors.joining(","));
    }
    Object raw = value.unwrapped();
    return raw == null ? null : String.valueOf(raw);
  }
}
