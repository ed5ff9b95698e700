using System.Reflection;
using SalesKpi.Core;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

/// <summary>
/// Refuses options a command does not have before it runs, naming the closest option it does have.
/// Spectre's lenient parser keeps unknown options as "remaining arguments", which no command reads, so
/// without this a mistyped <c>--stirct</c> or <c>--perod</c> would silently do the default thing.
/// </summary>
internal sealed class UnknownOptions : ICommandInterceptor
{
    /// <inheritdoc />
    public void Intercept(CommandContext context, CommandSettings settings)
    {
        var unknown = context.Remaining.Parsed.Select(g => g.Key).FirstOrDefault();
        if (unknown is null)
        {
            return;
        }

        var given = unknown.StartsWith('-') ? unknown : (unknown.Length == 1 ? "-" : "--") + unknown;
        throw FromArgs([.. context.Arguments]) ?? Error(given, context.Name, Options(settings.GetType()));
    }

    /// <summary>
    /// After the parser failed (an unknown option can swallow the next argument as its value, e.g.
    /// <c>import --stirct leads.csv</c> then lacks its PATH): the error naming the first unknown option
    /// in <paramref name="args"/>, or null when every option is known and the parser's own message stands.
    /// </summary>
    internal static SalesKpiException? FromArgs(IReadOnlyList<string> args)
    {
        var words = args.TakeWhile(a => a != "--").Where(a => !a.StartsWith('-')).Select(a => a.ToLowerInvariant()).ToList();
        var commands = typeof(UnknownOptions).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.Name.EndsWith("Command", StringComparison.Ordinal))
            .Select(t => (Type: t, Settings: SettingsOf(t)))
            .Where(x => x.Settings is not null)
            .ToList();

        // Command classes are named after their path: "targets set" is TargetsSetCommand.
        for (var n = Math.Min(2, words.Count); n >= 1; n--)
        {
            var name = string.Concat(words.Take(n));
            var match = commands.FirstOrDefault(c => c.Type.Name[..^"Command".Length].Equals(name, StringComparison.OrdinalIgnoreCase));
            if (match.Settings is not null)
            {
                var options = Options(match.Settings);
                var unknown = args.TakeWhile(a => a != "--")
                    .Where(a => a.StartsWith('-') && a.Length > 1 && !char.IsDigit(a[1]))
                    .Select(a => a.Split('=', 2)[0])
                    .FirstOrDefault(a => !options.Contains(a, StringComparer.Ordinal) && a is not "-h" and not "-?" and not "--version" and not "-v");
                return unknown is null ? null : Error(unknown, string.Join(' ', words.Take(n)), options);
            }
        }

        return null;
    }

    private static Type? SettingsOf(Type command)
    {
        for (var t = command; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericArguments() is [var s] && typeof(CommandSettings).IsAssignableFrom(s))
            {
                return s;
            }
        }

        return null;
    }

    private static SalesKpiException Error(string given, string command, IReadOnlyList<string> options)
    {
        var closest = Closest(given, options);
        return new SalesKpiException(closest is null
            ? Loc.F(
                "Unknown option '{0}' for '{1}': nothing was done; see 'saleskpi {1} --help'.",
                "Неизвестный параметр «{0}» команды «{1}»: ничего не сделано; см. «saleskpi {1} --help».",
                given, command)
            : Loc.F(
                "Unknown option '{0}' for '{1}': did you mean '{2}'? Nothing was done.",
                "Неизвестный параметр «{0}» команды «{1}»: может быть, «{2}»? Ничего не сделано.",
                given, command, closest));
    }

    /// <inheritdoc />
    public void InterceptResult(CommandContext context, CommandSettings settings, ref int result)
    {
    }

    /// <summary>Every option name (with its dashes) the settings type declares, inherited ones included.</summary>
    internal static IReadOnlyList<string> Options(Type settings) =>
        [.. settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
            .OfType<CommandOptionAttribute>()
            .SelectMany(a => a.LongNames.Select(n => "--" + n).Concat(a.ShortNames.Select(n => "-" + n)))
            .Append("--help")];

    /// <summary>The option nearest to <paramref name="given"/> by edit distance; null when none is near enough to be a typo.</summary>
    internal static string? Closest(string given, IEnumerable<string> options)
    {
        var best = options
            .Select(o => (Option: o, Distance: Distance(given.ToLowerInvariant(), o)))
            .OrderBy(x => x.Distance)
            .ThenBy(x => x.Option, StringComparer.Ordinal)
            .FirstOrDefault();

        // A third of the name may differ: "--perod" → "--period", "--dryrun" → "--dry-run", not "--x" → "--db".
        return best.Option is not null && best.Distance <= Math.Max(2, given.TrimStart('-').Length / 3) ? best.Option : null;
    }

    // Optimal string alignment distance: a swap of two neighbouring letters ("stirct") counts as one edit.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
