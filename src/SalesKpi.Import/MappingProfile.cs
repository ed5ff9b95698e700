using System.Text.RegularExpressions;
using SalesKpi.Core;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace SalesKpi.Import;

/// <summary>
/// A mapping profile: how the files of one source (a CRM's export, a spreadsheet, a public data set)
/// become canonical entities. Loaded from YAML; see docs/profiles.md.
/// </summary>
public sealed record MappingProfile
{
    /// <summary>Profile name, for messages.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>One mapping per kind of source file.</summary>
    public List<FileMapping> Files { get; init; } = [];

    /// <summary>Names of the built-in profiles: amocrm, bitrix24, hubspot, pipedrive, salesforce.</summary>
    public static IReadOnlyList<string> BuiltInNames =>
        [.. typeof(MappingProfile).Assembly.GetManifestResourceNames().Where(n => n.StartsWith("profiles/", StringComparison.Ordinal)).Select(n => n[9..^5]).Order(StringComparer.Ordinal)];

    /// <summary>The YAML of the built-in profile <paramref name="name"/>, or null.</summary>
    public static string? BuiltIn(string name)
    {
        using var stream = typeof(MappingProfile).Assembly.GetManifestResourceStream("profiles/" + name.Trim().ToLowerInvariant() + ".yaml");
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The mapping whose <see cref="FileMapping.Match"/> fits the file name, or null.</summary>
    public FileMapping? For(string path) =>
        Files.FirstOrDefault(f => f.Matches(Path.GetFileName(path)));

    /// <summary>
    /// Loads a profile from YAML. Throws <see cref="SalesKpiException"/> naming the file, line and column
    /// of a syntax error, and listing every mapping problem found (unknown entity or column, a mapping
    /// without a source, a required canonical column left unmapped).
    /// </summary>
    public static MappingProfile Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        string yaml;
        if (File.Exists(full))
        {
            yaml = File.ReadAllText(full);
        }
        else if (BuiltIn(path) is { } text)
        {
            (full, yaml) = (path, text);
        }
        else
        {
            throw new SalesKpiException(Msg.Of(
                "profile.missing",
                "Profile {0} does not exist: give the path of a .yaml mapping profile or a built-in one: {1}.",
                "Профиль {0} не существует: укажите путь к YAML-профилю или встроенный: {1}.",
                full, string.Join(", ", BuiltInNames)));
        }

        MappingProfile profile;
        try
        {
            var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
            profile = deserializer.Deserialize<MappingProfile>(yaml) ?? new MappingProfile();
        }
        catch (YamlException ex)
        {
            throw new SalesKpiException(Msg.Of("profile.yaml_error", "{0}, line {1}, column {2}: {3}", "{0}, строка {1}, столбец {2}: {3}", full, ex.Start.Line, ex.Start.Column, (ex.InnerException ?? ex).Message), ex);
        }

        var problems = new List<Msg>();
        foreach (var (f, i) in profile.Files.Select((f, i) => (f, i + 1)))
        {
            var entity = EntityCatalog.Find(f.Entity ?? string.Empty);
            if (entity is null)
            {
                problems.Add(Msg.Of("profile.unknown_entity", "files[{0}]: entity '{1}' is not one of {2}", "files[{0}]: сущность «{1}» — не одна из {2}", i, f.Entity, string.Join(", ", EntityCatalog.All.Select(e => e.Name))));
                continue;
            }

            foreach (var (column, rule) in f.Columns)
            {
                if (entity.Find(column) is null)
                {
                    problems.Add(Msg.Of("profile.unknown_column", "files[{0}] ({1}): '{2}' is not a column of {1}", "files[{0}] ({1}): «{2}» — не столбец {1}", i, entity.Name, column));
                }

                if (ColumnRule.From(rule) is null)
                {
                    problems.Add(Msg.Of("profile.bad_rule", "files[{0}] ({1}).{2}: give a source column, or one of source, const, concat (with map, default)", "files[{0}] ({1}).{2}: укажите столбец источника или source, const, concat (и map, default)", i, entity.Name, column));
                }
            }

            foreach (var required in entity.Columns.Where(c => c.Required && !f.Columns.ContainsKey(c.Name)))
            {
                problems.Add(Msg.Of("profile.required_unmapped", "files[{0}] ({1}): required column '{2}' is not mapped", "files[{0}] ({1}): обязательный столбец «{2}» не сопоставлен", i, entity.Name, required.Name));
            }
        }

        return problems.Count == 0
            ? profile with { Name = profile.Name.Length > 0 ? profile.Name : System.IO.Path.GetFileNameWithoutExtension(full) }
            : throw new SalesKpiException(Msg.Of("profile.invalid", "Profile {0} has problems: {1}.", "В профиле {0} ошибки: {1}.", full, Msg.Join("; ", problems)));
    }
}

/// <summary>How one kind of source file maps to one canonical entity.</summary>
public sealed record FileMapping
{
    /// <summary>File-name pattern (<c>*</c> and <c>?</c> wildcards, case-insensitive).</summary>
    public string Match { get; init; } = "*";

    /// <summary>The canonical entity.</summary>
    public string? Entity { get; init; }

    /// <summary>For .xlsx files: the worksheet to read; null for the first.</summary>
    public string? Sheet { get; init; }

    /// <summary><c>auto</c> (default: the most frequent of <c>,</c> <c>;</c> tab in the header line), <c>,</c>, <c>;</c> or <c>tab</c>.</summary>
    public string Delimiter { get; init; } = "auto";

    /// <summary><c>auto</c> (default: UTF-8 when the text is valid UTF-8, else Windows-1251), <c>utf-8</c> or <c>windows-1251</c>.</summary>
    public string Encoding { get; init; } = "auto";

    /// <summary>Date formats of the source (.NET custom formats such as <c>dd.MM.yyyy HH:mm</c>), tried in order after the canonical form.</summary>
    public List<string> DateFormats { get; init; } = [];

    /// <summary>Canonical column → source column name, or a rule with source, const, concat, map and default.</summary>
    public Dictionary<string, object> Columns { get; init; } = [];

    /// <summary>True when <paramref name="fileName"/> fits <see cref="Match"/>.</summary>
    public bool Matches(string fileName) =>
        Regex.IsMatch(fileName, "^" + Regex.Escape(Match).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

/// <summary>One canonical column's rule, read from the profile's loose YAML shape.</summary>
/// <param name="Source">Source column to take.</param>
/// <param name="Const">Constant value.</param>
/// <param name="Concat">Parts joined: <c>$column</c> takes a source column, anything else is literal text.</param>
/// <param name="Map">Value map (matched case-insensitively after trimming).</param>
/// <param name="Default">Value when the map has no entry (without it, the value passes unchanged).</param>
public sealed record ColumnRule(string? Source, string? Const, IReadOnlyList<string>? Concat, IReadOnlyDictionary<string, string>? Map, string? Default)
{
    /// <summary>Reads a rule: a plain string is a source column; a mapping has the named keys. Null when neither.</summary>
    public static ColumnRule? From(object? yaml)
    {
        switch (yaml)
        {
            case string column when column.Length > 0:
                return new ColumnRule(column, null, null, null, null);
            case IDictionary<object, object> d:
                string? S(string key) => d.TryGetValue(key, out var v) ? v?.ToString() : null;
                var concat = d.TryGetValue("concat", out var c) && c is IList<object> list ? list.Select(x => x?.ToString() ?? string.Empty).ToList() : null;
                var map = d.TryGetValue("map", out var m) && m is IDictionary<object, object> md
                    ? md.ToDictionary(kv => kv.Key.ToString()!.Trim(), kv => kv.Value?.ToString() ?? string.Empty, StringComparer.OrdinalIgnoreCase)
                    : null;
                var rule = new ColumnRule(S("source"), S("const"), concat, map, S("default"));
                return rule.Source is null && rule.Const is null && rule.Concat is null ? null : rule;
            default:
                return null;
        }
    }
}
