using System.Globalization;
using System.Text.Json.Nodes;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

/// <summary>Options of the user commands that name one user.</summary>
internal class UserNameSettings : WorkspaceCommandSettings
{
    [CommandArgument(0, "<NAME>")]
    [LocDescription("The user's sign-in name.", "Имя пользователя для входа.")]
    public string Name { get; init; } = string.Empty;
}

internal sealed class UsersAddSettings : UserNameSettings
{
    [CommandOption("--role <ROLE>")]
    [LocDescription("rep (own data only), manager (reads all), head (also changes the KPI system, targets, data) or admin (also users).", "rep (только свои данные), manager (читает всё), head (также меняет систему KPI, цели, данные) или admin (также пользователи).")]
    public string Role { get; init; } = string.Empty;

    [CommandOption("--owner <CRM_NAME>")]
    [LocDescription("The CRM owner name a rep is, exactly as in the data's owner column (required for reps).", "Имя владельца в CRM, которым является менеджер по продажам, точно как в столбце owner (обязательно для rep).")]
    public string? Owner { get; init; }

    [CommandOption("--password-file <FILE>")]
    [LocDescription("Read the password from the first line of FILE; without it a password is generated and printed once.", "Взять пароль из первой строки файла; без него пароль создаётся и выводится один раз.")]
    public string? PasswordFile { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Role)
            ? ValidationResult.Error(Loc.T("Give --role: rep, manager, head or admin.", "Укажите --role: rep, manager, head или admin."))
            : base.Validate();
}

internal sealed class UsersAddCommand(CliHost host) : Command<UsersAddSettings>
{
    public override int Execute(CommandContext context, UsersAddSettings settings, CancellationToken cancellationToken)
    {
        var password = UsersText.ReadPassword(host, settings.PasswordFile);
        var added = new UsersService().Add(new AddUserRequest(settings.Name, settings.Role, settings.Owner, password), host.Context(settings));
        host.Console.MarkupLine(Markup.Escape(Loc.F("Added {0} ({1}).", "Добавлен {0} ({1}).", added.User.Name, UsersService.RoleName(added.User.Role))));
        UsersText.ShowGenerated(host, added.GeneratedPassword);
        return 0;
    }
}

internal sealed class UsersListSettings : WorkspaceCommandSettings
{
    [CommandOption("--format <FORMAT>")]
    [LocDescription("table (default) or json.", "table (по умолчанию) или json.")]
    public string Format { get; init; } = "table";

    public override ValidationResult Validate() => Choice("--format", Format, "table", "json") ?? base.Validate();
}

internal sealed class UsersListCommand(CliHost host) : Command<UsersListSettings>
{
    public override int Execute(CommandContext context, UsersListSettings settings, CancellationToken cancellationToken)
    {
        var ctx = host.Context(settings);
        var users = new UsersService().List(ctx);
        var now = ctx.Clock.GetUtcNow().UtcDateTime;
        if (settings.Format == "json")
        {
            var list = new JsonArray([.. users.Select(u => new JsonObject
            {
                ["name"] = u.Name,
                ["role"] = UsersService.RoleName(u.Role),
                ["crm_owner"] = u.CrmOwner,
                ["disabled"] = u.Disabled,
                ["locked_until"] = u.LockedUntilUtc is { } l && l > now ? l.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : null,
                ["created_at"] = u.CreatedAtUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            })]);
            host.Out.WriteLine(new JsonObject { ["users"] = list }.ToJsonString());
            return 0;
        }

        var table = new Table().AddColumns(Loc.T("name", "имя"), Loc.T("role", "роль"), Loc.T("CRM owner", "владелец в CRM"), Loc.T("state", "состояние"), Loc.T("created (UTC)", "создан (UTC)"));
        foreach (var u in users)
        {
            var state = u.Disabled ? Loc.T("disabled", "отключён")
                : u.LockedUntilUtc is { } until && until > now ? Loc.F("locked until {0} UTC", "заблокирован до {0} UTC", until.ToString("yyyy-MM-dd HH:mm", Loc.DisplayCulture))
                : Loc.T("active", "активен");
            table.AddRow(Markup.Escape(u.Name), UsersService.RoleName(u.Role), Markup.Escape(u.CrmOwner ?? "—"), Markup.Escape(state), u.CreatedAtUtc.ToString("yyyy-MM-dd HH:mm", Loc.DisplayCulture));
        }

        host.Console.Write(table);
        if (users.Count == 0)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.T("No users yet: 'saleskpi users add NAME --role admin' adds one ('saleskpi serve' makes 'admin' on its first start).", "Пользователей пока нет: «saleskpi users add ИМЯ --role admin» добавит («saleskpi serve» при первом запуске создаёт «admin»).")));
        }

        return 0;
    }
}

internal sealed class UsersDisableCommand(CliHost host) : Command<UserNameSettings>
{
    public override int Execute(CommandContext context, UserNameSettings settings, CancellationToken cancellationToken)
    {
        new UsersService().SetDisabled(settings.Name, true, host.Context(settings));
        host.Console.MarkupLine(Markup.Escape(Loc.F("{0} is disabled: sign-in and tokens stop working.", "{0} отключён: вход и токены больше не работают.", settings.Name)));
        return 0;
    }
}

internal sealed class UsersEnableCommand(CliHost host) : Command<UserNameSettings>
{
    public override int Execute(CommandContext context, UserNameSettings settings, CancellationToken cancellationToken)
    {
        new UsersService().SetDisabled(settings.Name, false, host.Context(settings));
        host.Console.MarkupLine(Markup.Escape(Loc.F("{0} is enabled.", "{0} включён.", settings.Name)));
        return 0;
    }
}

internal sealed class UsersResetPasswordSettings : UserNameSettings
{
    [CommandOption("--password-file <FILE>")]
    [LocDescription("Read the new password from the first line of FILE; without it one is generated and printed once.", "Взять новый пароль из первой строки файла; без него пароль создаётся и выводится один раз.")]
    public string? PasswordFile { get; init; }
}

internal sealed class UsersResetPasswordCommand(CliHost host) : Command<UsersResetPasswordSettings>
{
    public override int Execute(CommandContext context, UsersResetPasswordSettings settings, CancellationToken cancellationToken)
    {
        var generated = new UsersService().ResetPassword(settings.Name, UsersText.ReadPassword(host, settings.PasswordFile), host.Context(settings));
        host.Console.MarkupLine(Markup.Escape(Loc.F("The password of {0} is set; a lockout is lifted.", "Пароль {0} задан; блокировка снята.", settings.Name)));
        UsersText.ShowGenerated(host, generated);
        return 0;
    }
}

internal sealed class UsersSetRoleSettings : UserNameSettings
{
    [CommandArgument(1, "<ROLE>")]
    [LocDescription("rep, manager, head or admin.", "rep, manager, head или admin.")]
    public string Role { get; init; } = string.Empty;

    [CommandOption("--owner <CRM_NAME>")]
    [LocDescription("The CRM owner name (required when the user becomes a rep and has none).", "Имя владельца в CRM (обязательно, если пользователь становится rep и его нет).")]
    public string? Owner { get; init; }
}

internal sealed class UsersSetRoleCommand(CliHost host) : Command<UsersSetRoleSettings>
{
    public override int Execute(CommandContext context, UsersSetRoleSettings settings, CancellationToken cancellationToken)
    {
        var user = new UsersService().SetRole(settings.Name, settings.Role, settings.Owner, host.Context(settings));
        host.Console.MarkupLine(Markup.Escape(Loc.F("{0} is now {1}.", "{0} теперь {1}.", user.Name, UsersService.RoleName(user.Role))));
        return 0;
    }
}

internal sealed class UsersTokenSettings : UserNameSettings
{
    [CommandOption("--expires <WHEN>")]
    [LocDescription("When a new token stops working: days (90d), a date (2026-12-31, through that day UTC) or never (default 90d).", "Когда новый токен перестанет работать: дни (90d), дата (2026-12-31, включительно, UTC) или never (по умолчанию 90d).")]
    public string Expires { get; init; } = "90d";

    [CommandOption("--revoke <PREFIX>")]
    [LocDescription("Revoke the token with this prefix (as --list shows it) instead of making one.", "Отозвать токен с этим префиксом (как в --list) вместо создания нового.")]
    public string? Revoke { get; init; }

    [CommandOption("--list")]
    [LocDescription("List the user's tokens instead of making one.", "Показать токены пользователя вместо создания нового.")]
    public bool List { get; init; }
}

internal sealed class UsersTokenCommand(CliHost host) : Command<UsersTokenSettings>
{
    public override int Execute(CommandContext context, UsersTokenSettings settings, CancellationToken cancellationToken)
    {
        var ctx = host.Context(settings);
        var service = new UsersService();
        if (settings.List)
        {
            var now = ctx.Clock.GetUtcNow().UtcDateTime;
            var table = new Table().AddColumns(Loc.T("prefix", "префикс"), Loc.T("created (UTC)", "создан (UTC)"), Loc.T("expires (UTC)", "истекает (UTC)"), Loc.T("state", "состояние"));
            foreach (var t in service.ListTokens(settings.Name, ctx))
            {
                var state = t.RevokedAtUtc is not null ? Loc.T("revoked", "отозван") : t.ActiveAt(now) ? Loc.T("active", "действует") : Loc.T("expired", "истёк");
                table.AddRow(t.Prefix, Time(t.CreatedAtUtc), t.ExpiresAtUtc is { } e ? Time(e) : Loc.T("never", "никогда"), state);
            }

            host.Console.Write(table);
            return 0;
        }

        if (settings.Revoke is { } prefix)
        {
            var revoked = service.RevokeToken(settings.Name, prefix, ctx);
            host.Console.MarkupLine(Markup.Escape(Loc.F("Token {0} of {1} is revoked.", "Токен {0} пользователя {1} отозван.", revoked.Prefix, settings.Name)));
            return 0;
        }

        var created = service.CreateToken(settings.Name, UsersService.ParseExpiry(settings.Expires, ctx.Clock.GetUtcNow()), ctx);
        host.Console.MarkupLine(Markup.Escape(Loc.F("Token {0} for {1}, expires {2}. It is shown only now; the workspace keeps only its hash:", "Токен {0} для {1}, истекает {2}. Он показан только сейчас; в рабочей области хранится лишь его хеш:", created.Token.Prefix, settings.Name, created.Token.ExpiresAtUtc is { } x ? Time(x) + " UTC" : Loc.T("never", "никогда"))));
        host.Out.WriteLine(created.Secret);
        host.Console.MarkupLine(Markup.Escape(Loc.T("Use it as: curl -H \"Authorization: Bearer <token>\" http://127.0.0.1:5080/api/v1/me", "Пример: curl -H \"Authorization: Bearer <токен>\" http://127.0.0.1:5080/api/v1/me")));
        return 0;
    }

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm", Loc.DisplayCulture);
}

internal sealed class UsersCompanyTotalsSettings : WorkspaceCommandSettings
{
    [CommandArgument(0, "[ON_OFF]")]
    [LocDescription("on: reps also see company-wide totals (never others' records); off (default): their own data only. Without it, shows the setting.", "on: менеджеры по продажам видят и итоги по компании (но не чужие записи); off (по умолчанию): только свои данные. Без значения — показать настройку.")]
    public string? Value { get; init; }

    public override ValidationResult Validate() => (Value is null ? null : Choice("ON_OFF", Value, "on", "off")) ?? base.Validate();
}

internal sealed class UsersCompanyTotalsCommand(CliHost host) : Command<UsersCompanyTotalsSettings>
{
    public override int Execute(CommandContext context, UsersCompanyTotalsSettings settings, CancellationToken cancellationToken)
    {
        var ctx = host.Context(settings);
        var service = new UsersService();
        if (settings.Value is not null)
        {
            service.SetRepsSeeCompanyTotals(settings.Value == "on", ctx);
        }

        host.Console.MarkupLine(Markup.Escape(service.RepsSeeCompanyTotals(ctx)
            ? Loc.T("Reps see company totals: on.", "Менеджеры по продажам видят итоги по компании: on.")
            : Loc.T("Reps see company totals: off (their own data only).", "Менеджеры по продажам видят итоги по компании: off (только свои данные).")));
        return 0;
    }
}

/// <summary>Password input and output shared by the user commands.</summary>
internal static class UsersText
{
    /// <summary>The first line of <paramref name="file"/>, or null (generate one) when no file is named.</summary>
    public static string? ReadPassword(CliHost host, string? file)
    {
        if (file is null)
        {
            return null;
        }

        var path = host.PathOf(file);
        if (!File.Exists(path))
        {
            throw new SalesKpiException(Msg.Of("users.password_file_missing", "The password file {0} does not exist.", "Файла с паролем {0} нет.", path));
        }

        return File.ReadLines(path).FirstOrDefault() ?? string.Empty;
    }

    /// <summary>Prints a generated password once, or nothing when the user gave one.</summary>
    public static void ShowGenerated(CliHost host, string? password)
    {
        if (password is null)
        {
            return;
        }

        host.Console.MarkupLine(Markup.Escape(Loc.T("Generated password (shown only now; pass it on safely):", "Созданный пароль (показан только сейчас; передайте его надёжно):")));
        host.Out.WriteLine(password);
    }
}
