using System.ComponentModel;
using SalesKpi.Core;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

/// <summary>A help description in both languages; Spectre reads <see cref="Description"/> after the language is chosen.</summary>
[AttributeUsage(AttributeTargets.All)]
internal sealed class LocDescriptionAttribute(string en, string ru) : DescriptionAttribute
{
    // Spectre renders help descriptions as markup: "[NAME]" would be read as a style and crash the help.
    public override string Description => Markup.Escape(Loc.T(en, ru));
}

/// <summary>Options every command has.</summary>
internal class GlobalSettings : CommandSettings
{
    [CommandOption("--lang <LANG>")]
    [LocDescription("Language of the output: en or ru (default: SALESKPI_LANG, then the system language).", "Язык вывода: en или ru (по умолчанию SALESKPI_LANG, затем язык системы).")]
    public string? Lang { get; init; }

    [CommandOption("--verbose")]
    [LocDescription("Show technical details (stack traces) of errors.", "Показывать технические подробности ошибок (стек вызовов).")]
    public bool Verbose { get; init; }

    public override ValidationResult Validate() =>
        Lang is null || Loc.Parse(Lang) is not null
            ? ValidationResult.Success()
            : ValidationResult.Error(Loc.F("--lang '{0}' is not supported: use en or ru.", "--lang «{0}» не поддерживается: используйте en или ru.", Lang));

    /// <summary>The error for a choice option (e.g. --format) whose value is not allowed; null when it is. Combine as <c>Choice(…) ?? base.Validate()</c>.</summary>
    protected static ValidationResult? Choice(string option, string value, params string[] allowed) =>
        allowed.Contains(value)
            ? null
            : ValidationResult.Error(Loc.F("{0} '{1}' is not supported: use {2}.", "{0} «{1}» не поддерживается: используйте {2}.", option, value, string.Join(Loc.T(" or ", " или "), allowed)));
}

/// <summary>Options of commands that work on a workspace.</summary>
internal class WorkspaceCommandSettings : GlobalSettings
{
    [CommandOption("--db <FILE>")]
    [LocDescription(
        "Workspace file, or a PostgreSQL workspace postgres://user@host:5432/database?workspace=NAME (default: SALESKPI_DB, then ./saleskpi.duckdb).",
        "Файл рабочей области или рабочая область PostgreSQL postgres://пользователь@хост:5432/база?workspace=ИМЯ (по умолчанию SALESKPI_DB, затем ./saleskpi.duckdb).")]
    public string? Db { get; init; }

    [CommandOption("--workspace <NAME>")]
    [LocDescription("The workspace inside the PostgreSQL database --db names (instead of ?workspace= in its URL).", "Рабочая область в базе PostgreSQL из --db (вместо ?workspace= в адресе).")]
    public string? Workspace { get; init; }

    [CommandOption("--wait <SECONDS>")]
    [LocDescription("How long to wait while another process holds the workspace (default 30; 0 fails at once).", "Сколько ждать, пока рабочую область держит другой процесс (по умолчанию 30; 0 — не ждать).")]
    public int? Wait { get; init; }

    /// <summary>The default of --wait: long enough for a report or a small import to finish.</summary>
    public const int DefaultWaitSeconds = 30;

    public override ValidationResult Validate() =>
        Wait is < 0 or > 86_400
            ? ValidationResult.Error(Loc.F("--wait {0} is out of range: give seconds from 0 to 86400.", "--wait {0} вне диапазона: укажите секунды от 0 до 86400.", Wait))
            : base.Validate();
}

/// <summary>Console helpers shared by the commands.</summary>
internal static class Output
{
    /// <summary>Formats a count for display in the user's culture.</summary>
    public static string N(long n) => n.ToString("N0", Loc.DisplayCulture);

    /// <summary>Formats a UTC instant as local time in the workspace zone for display.</summary>
    public static string Local(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone).ToString("yyyy-MM-dd HH:mm", Loc.DisplayCulture);
}
