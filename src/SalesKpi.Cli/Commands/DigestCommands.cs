using System.Globalization;
using System.Text.Json.Nodes;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

internal sealed class DigestSendSettings : WorkspaceCommandSettings
{
    [CommandOption("--period <PERIOD>")]
    [LocDescription("Month, quarter or year (default: the current quarter).", "Месяц, квартал или год (по умолчанию текущий квартал).")]
    public string? Period { get; init; }

    [CommandOption("--email <ADDRESS>")]
    [LocDescription("Send by e-mail to this address (repeatable); SMTP from SALESKPI_SMTP_* or 'digest settings'.", "Отправить письмом на этот адрес (можно несколько раз); SMTP из SALESKPI_SMTP_* или «digest settings».")]
    public string[] Email { get; init; } = [];

    [CommandOption("--webhook <URL>")]
    [LocDescription("Post to this chat webhook (Slack, Mattermost, a Telegram-bot relay).", "Отправить на этот вебхук чата (Slack, Mattermost, ретранслятор Telegram-бота).")]
    public string? Webhook { get; init; }

    [CommandOption("--as-user <NAME>")]
    [LocDescription("Build the digest as this server user sees the data (a rep: their own numbers).", "Собрать дайджест так, как данные видит этот пользователь сервера (rep — свои показатели).")]
    public string? AsUser { get; init; }

    [CommandOption("--print <FORMAT>")]
    [LocDescription("Do not send: print the digest as text, html or json (the webhook body).", "Не отправлять: вывести дайджест как text, html или json (тело вебхука).")]
    public string? Print { get; init; }

    public override ValidationResult Validate() =>
        Print is not null
            ? Choice("--print", Print, "text", "html", "json") ?? base.Validate()
            : (Email.Length > 0) == (Webhook is not null)
                ? ValidationResult.Error(Loc.T("Give either --email ADDRESS (one or more) or --webhook URL (or --print to only show the digest).", "Укажите либо --email АДРЕС (один или несколько), либо --webhook URL (или --print, чтобы только показать дайджест)."))
                : base.Validate();
}

/// <summary>Builds a digest and sends it once (docs/digests.md).</summary>
internal sealed class DigestSendCommand(CliHost host) : Command<DigestSendSettings>
{
    public override int Execute(CommandContext context, DigestSendSettings settings, CancellationToken cancellationToken)
    {
        var service = new DigestSubscriptionsService();
        var ctx = host.Context(settings);
        if (settings.AsUser is not null)
        {
            ctx = service.AsUser(settings.AsUser, ctx);
        }

        var digestSettings = DigestText.Settings(host, ctx);
        if (settings.Print is { } format)
        {
            var digest = new DigestService().Build(new DigestRequest(settings.Period), digestSettings.PublicUrl, ctx);
            host.Out.WriteLine(format switch { "html" => digest.Html, "json" => digest.ChatJson, _ => digest.Text });
            return 0;
        }

        var target = settings.Webhook is { } url ? new DigestTarget(DigestTarget.Webhook, [url]) : new DigestTarget(DigestTarget.Email, settings.Email);
        var sent = service.SendAsync(new DigestRequest(settings.Period), target, digestSettings, ctx, cancellationToken).GetAwaiter().GetResult();
        host.Console.MarkupLine(Markup.Escape(Loc.F("Sent the digest of {0} to {1}.", "Дайджест за {0} отправлен: {1}.", sent.Period.Label, target.Recipient)));
        return 0;
    }
}

internal sealed class DigestSubscribeSettings : WorkspaceCommandSettings
{
    [CommandArgument(0, "<USER>")]
    [LocDescription("The server user whose digest it is (a rep gets their own numbers).", "Пользователь сервера, чей это дайджест (rep получает свои показатели).")]
    public string User { get; init; } = string.Empty;

    [CommandOption("--daily")]
    [LocDescription("Every day at --at.", "Каждый день в --at.")]
    public bool Daily { get; init; }

    [CommandOption("--weekly <DAY>")]
    [LocDescription("Every week on DAY (mon…sun) at --at; or \"mon 08:00\".", "Каждую неделю в день DAY (mon…sun) в --at; или \"mon 08:00\".")]
    public string? Weekly { get; init; }

    [CommandOption("--monthly <DAY>")]
    [LocDescription("Every month on day 1–28 at --at; or \"1 08:00\".", "Каждый месяц в день 1–28 в --at; или \"1 08:00\".")]
    public string? Monthly { get; init; }

    [CommandOption("--at <HH:MM>")]
    [LocDescription("The time of day in the workspace's time zone (default 08:00).", "Время суток в часовом поясе рабочей области (по умолчанию 08:00).")]
    public string? At { get; init; }

    [CommandOption("--grain <GRAIN>")]
    [LocDescription("The period reported: quarter (default for daily and weekly) or month (default for monthly).", "Отчётный период: quarter (по умолчанию для daily и weekly) или month (по умолчанию для monthly).")]
    public string? Grain { get; init; }

    [CommandOption("--email <ADDRESS>")]
    [LocDescription("Send by e-mail to this address.", "Отправлять письмом на этот адрес.")]
    public string? Email { get; init; }

    [CommandOption("--webhook <URL>")]
    [LocDescription("Post to this chat webhook.", "Отправлять на этот вебхук чата.")]
    public string? Webhook { get; init; }

    public override ValidationResult Validate() =>
        (Daily ? 1 : 0) + (Weekly is null ? 0 : 1) + (Monthly is null ? 0 : 1) != 1
            ? ValidationResult.Error(Loc.T("Give one schedule: --daily, --weekly DAY or --monthly N (with --at HH:MM).", "Укажите одно расписание: --daily, --weekly ДЕНЬ или --monthly N (с --at ЧЧ:ММ)."))
            : (Email is null) == (Webhook is null)
                ? ValidationResult.Error(Loc.T("Give either --email ADDRESS or --webhook URL.", "Укажите либо --email АДРЕС, либо --webhook URL."))
                : base.Validate();

    /// <summary>The schedule the options describe.</summary>
    public DigestSchedule Schedule()
    {
        // "--weekly 'mon 08:00'" carries the time in the value; --at wins when both are given.
        static (string Day, string? Time) Split(string value) =>
            value.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is [var d, var t] ? (d, t) : (value, null);
        if (Daily)
        {
            return new DigestSchedule(DigestEvery.Daily, 0, DigestSchedule.ParseTime(At ?? "08:00"));
        }

        var (day, time) = Split(Weekly ?? Monthly!);
        var when = DigestSchedule.ParseTime(At ?? time ?? "08:00");
        return Weekly is not null
            ? new DigestSchedule(DigestEvery.Weekly, DigestSchedule.ParseWeekday(day), when)
            : new DigestSchedule(DigestEvery.Monthly, DigestSchedule.ParseDayOfMonth(day), when);
    }
}

/// <summary>Subscribes a user to a scheduled digest that 'saleskpi serve' sends.</summary>
internal sealed class DigestSubscribeCommand(CliHost host) : Command<DigestSubscribeSettings>
{
    public override int Execute(CommandContext context, DigestSubscribeSettings settings, CancellationToken cancellationToken)
    {
        var target = settings.Webhook is { } url ? new DigestTarget(DigestTarget.Webhook, [url]) : new DigestTarget(DigestTarget.Email, [settings.Email!]);
        var stored = new DigestSubscriptionsService().Subscribe(new SubscribeRequest(settings.User, settings.Schedule(), settings.Grain, target, host.Language), host.Context(settings));
        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "Subscription #{0}: {1}'s digest ({2}) {3} to {4}, sent by 'saleskpi serve' (times in the workspace's time zone).",
            "Подписка №{0}: дайджест {1} ({2}) {3} на {4}; отправляет «saleskpi serve» (время в часовом поясе рабочей области).",
            stored.Id,
            stored.User,
            DigestText.Grain(stored.Grain),
            stored.Schedule,
            stored.Recipient)));
        return 0;
    }
}

internal sealed class DigestListSettings : WorkspaceCommandSettings
{
    [CommandOption("--format <FORMAT>")]
    [LocDescription("table (default) or json.", "table (по умолчанию) или json.")]
    public string Format { get; init; } = "table";

    [CommandOption("--limit <N>")]
    [LocDescription("How many delivery attempts to show, newest first (default 50).", "Сколько попыток доставки показать, сначала новые (по умолчанию 50).")]
    public int Limit { get; init; } = 50;

    public override ValidationResult Validate() =>
        Limit < 1 ? ValidationResult.Error(Loc.T("--limit must be at least 1.", "--limit должно быть не меньше 1.")) : Choice("--format", Format, "table", "json") ?? base.Validate();
}

/// <summary>Lists the digest subscriptions.</summary>
internal sealed class DigestSubscriptionsCommand(CliHost host) : Command<DigestListSettings>
{
    public override int Execute(CommandContext context, DigestListSettings settings, CancellationToken cancellationToken)
    {
        var list = new DigestSubscriptionsService().List(host.Context(settings));
        if (settings.Format == "json")
        {
            host.Out.WriteLine(new JsonObject
            {
                ["subscriptions"] = new JsonArray([.. list.Select(s => new JsonObject
                {
                    ["id"] = s.Id,
                    ["user"] = s.User,
                    ["schedule"] = s.Schedule,
                    ["grain"] = s.Grain,
                    ["channel"] = s.Channel,
                    ["recipient"] = s.Recipient,
                    ["lang"] = s.Language,
                    ["created_at"] = DigestText.Utc(s.CreatedAtUtc),
                    ["created_by"] = s.CreatedBy,
                })]),
            }.ToJsonString());
            return 0;
        }

        var table = new Table().AddColumns("#", Loc.T("user", "пользователь"), Loc.T("schedule", "расписание"), Loc.T("period", "период"), Loc.T("channel", "канал"), Loc.T("recipient", "получатель"), Loc.T("language", "язык"));
        foreach (var s in list)
        {
            table.AddRow(s.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(s.User), Markup.Escape(s.Schedule), Markup.Escape(DigestText.Grain(s.Grain)), s.Channel, Markup.Escape(s.Recipient), s.Language);
        }

        host.Console.Write(table);
        if (list.Count == 0)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.T("No subscriptions yet: 'saleskpi digest subscribe USER --weekly mon --at 08:00 --email ADDRESS' adds one.", "Подписок пока нет: «saleskpi digest subscribe ПОЛЬЗОВАТЕЛЬ --weekly mon --at 08:00 --email АДРЕС» добавит.")));
        }

        return 0;
    }
}

internal sealed class DigestUnsubscribeSettings : WorkspaceCommandSettings
{
    [CommandArgument(0, "<ID>")]
    [LocDescription("The subscription's number (see 'digest subscriptions').", "Номер подписки (см. «digest subscriptions»).")]
    public long Id { get; init; }
}

/// <summary>Removes a digest subscription.</summary>
internal sealed class DigestUnsubscribeCommand(CliHost host) : Command<DigestUnsubscribeSettings>
{
    public override int Execute(CommandContext context, DigestUnsubscribeSettings settings, CancellationToken cancellationToken)
    {
        new DigestSubscriptionsService().Unsubscribe(settings.Id, host.Context(settings));
        host.Console.MarkupLine(Markup.Escape(Loc.F("Subscription #{0} removed; its deliveries stay on record.", "Подписка №{0} удалена; её доставки остаются в журнале.", settings.Id)));
        return 0;
    }
}

/// <summary>Shows every digest delivery attempt, newest first.</summary>
internal sealed class DigestDeliveriesCommand(CliHost host) : Command<DigestListSettings>
{
    public override int Execute(CommandContext context, DigestListSettings settings, CancellationToken cancellationToken)
    {
        var list = new DigestSubscriptionsService().Deliveries(settings.Limit, host.Context(settings));
        if (settings.Format == "json")
        {
            host.Out.WriteLine(new JsonObject
            {
                ["deliveries"] = new JsonArray([.. list.Select(d => new JsonObject
                {
                    ["id"] = d.Id,
                    ["subscription"] = d.SubscriptionId,
                    ["slot"] = d.SlotUtc is { } slot ? DigestText.Utc(slot) : null,
                    ["at"] = DigestText.Utc(d.AtUtc),
                    ["user"] = d.User,
                    ["period"] = d.Period,
                    ["channel"] = d.Channel,
                    ["recipient"] = d.Recipient,
                    ["attempt"] = d.Attempt,
                    ["status"] = d.Status,
                    ["error"] = d.Error,
                })]),
            }.ToJsonString());
            return 0;
        }

        var table = new Table().AddColumns(Loc.T("at (UTC)", "когда (UTC)"), Loc.T("subscription", "подписка"), Loc.T("user", "пользователь"), Loc.T("period", "период"), Loc.T("channel", "канал"), Loc.T("recipient", "получатель"), Loc.T("attempt", "попытка"), Loc.T("status", "статус"), Loc.T("error", "ошибка"));
        foreach (var d in list)
        {
            var status = d.Status switch
            {
                DigestStore.Sent => "[green]" + Loc.T("sent", "отправлен") + "[/]",
                DigestStore.Retrying => "[yellow]" + Loc.T("retrying", "повтор") + "[/]",
                _ => "[red]" + Loc.T("failed", "не доставлен") + "[/]",
            };
            table.AddRow(
                d.AtUtc.ToString("yyyy-MM-dd HH:mm:ss", Loc.DisplayCulture),
                d.SubscriptionId is { } id ? "#" + id.ToString(CultureInfo.InvariantCulture) : Loc.T("by hand", "вручную"),
                Markup.Escape(d.User),
                Markup.Escape(d.Period),
                d.Channel,
                Markup.Escape(d.Recipient),
                d.Attempt.ToString(CultureInfo.InvariantCulture),
                status,
                Markup.Escape(d.Error ?? string.Empty));
        }

        host.Console.Write(table);
        return 0;
    }
}

internal sealed class DigestSettingsSettings : WorkspaceCommandSettings
{
    [CommandOption("--public-url <URL>")]
    [LocDescription("The dashboard's address the digests link to (SALESKPI_PUBLIC_URL wins).", "Адрес панели, на который ссылаются дайджесты (SALESKPI_PUBLIC_URL важнее).")]
    public string? PublicUrl { get; init; }

    [CommandOption("--smtp-host <HOST>")]
    [LocDescription("SMTP server (SALESKPI_SMTP_HOST wins).", "SMTP-сервер (SALESKPI_SMTP_HOST важнее).")]
    public string? SmtpHost { get; init; }

    [CommandOption("--smtp-port <PORT>")]
    [LocDescription("SMTP port (default by TLS mode: 25, 587, 465).", "Порт SMTP (по умолчанию по режиму TLS: 25, 587, 465).")]
    public string? SmtpPort { get; init; }

    [CommandOption("--smtp-tls <MODE>")]
    [LocDescription("none, starttls (default) or tls.", "none, starttls (по умолчанию) или tls.")]
    public string? SmtpTls { get; init; }

    [CommandOption("--smtp-user <USER>")]
    [LocDescription("SMTP user; the password only ever comes from SALESKPI_SMTP_PASSWORD.", "Пользователь SMTP; пароль берётся только из SALESKPI_SMTP_PASSWORD.")]
    public string? SmtpUser { get; init; }

    [CommandOption("--smtp-from <ADDRESS>")]
    [LocDescription("The sender address.", "Адрес отправителя.")]
    public string? SmtpFrom { get; init; }
}

/// <summary>Shows or stores where digests go out from; the password is never stored nor shown.</summary>
internal sealed class DigestSettingsCommand(CliHost host) : Command<DigestSettingsSettings>
{
    public override int Execute(CommandContext context, DigestSettingsSettings settings, CancellationToken cancellationToken)
    {
        var service = new DigestSubscriptionsService();
        var ctx = host.Context(settings);
        var changes = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["digest.public_url"] = settings.PublicUrl,
            ["digest.smtp_host"] = settings.SmtpHost,
            ["digest.smtp_port"] = settings.SmtpPort,
            ["digest.smtp_tls"] = settings.SmtpTls,
            ["digest.smtp_user"] = settings.SmtpUser,
            ["digest.smtp_from"] = settings.SmtpFrom,
        }.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        if (changes.Count > 0)
        {
            service.SaveSettings(changes, ctx);
        }

        var effective = DigestText.Settings(host, ctx);
        host.Console.MarkupLine(Markup.Escape(Loc.F("public URL: {0}", "публичный адрес: {0}", effective.PublicUrl?.AbsoluteUri ?? Loc.T("not set (digests carry no link)", "не задан (в дайджестах не будет ссылки)"))));
        host.Console.MarkupLine(Markup.Escape(Loc.F("SMTP: {0}", "SMTP: {0}", effective.Smtp?.ToString() ?? Loc.T("not set (no e-mail)", "не задан (почта не отправляется)"))));
        if (effective.Smtp?.User is not null)
        {
            host.Console.MarkupLine(Markup.Escape(effective.Smtp.Password is null
                ? Loc.T("SMTP password: not set (SALESKPI_SMTP_PASSWORD)", "пароль SMTP: не задан (SALESKPI_SMTP_PASSWORD)")
                : Loc.T("SMTP password: set (SALESKPI_SMTP_PASSWORD)", "пароль SMTP: задан (SALESKPI_SMTP_PASSWORD)")));
        }

        return 0;
    }
}

/// <summary>Shared pieces of the digest commands.</summary>
internal static class DigestText
{
    /// <summary>The digest settings in force: the environment first, then what the workspace stores.</summary>
    public static DigestSettings Settings(CliHost host, RequestContext ctx) =>
        DigestSettings.From(host.Variable, new DigestSubscriptionsService().StoredSettings(ctx));

    public static string Grain(string grain) => grain == "month" ? Loc.T("month", "месяц") : Loc.T("quarter", "квартал");

    public static string Utc(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
