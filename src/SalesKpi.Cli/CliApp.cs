using System.Globalization;
using System.Reflection;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Cli.Commands;
using SalesKpi.Storage.DuckDb;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli;

/// <summary>Builds and runs the <c>saleskpi</c> command line.</summary>
public static class CliApp
{
    /// <summary>Exit code of a failure: nothing was done, the message says why.</summary>
    public const int Failure = 1;

    /// <summary>Runs the command line in this process's console and environment and returns the exit code.</summary>
    public static int Run(string[] args, TimeProvider clock) => Run(args, CliEnvironment.ForProcess() with { Clock = clock });

    /// <summary>
    /// Runs the command line in <paramref name="env"/> and returns the exit code. Nothing of one run outlives it
    /// or reaches another run in the same process: the language is scoped to this call (Spectre only formats
    /// its help with the culture given, it does not set the thread's), and screen, streams, variables, folder
    /// and clock come from <paramref name="env"/> alone.
    /// </summary>
    public static int Run(string[] args, CliEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(env);
        args = LeadingLanguageLast(args);
        var language = ChooseLanguage(args, env);
        using var scope = Loc.Use(language);
        var verbose = args.Contains("--verbose");
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("saleskpi");
            config.SetApplicationVersion(Version);
            config.SetApplicationCulture(Loc.DisplayCulture);
            config.PropagateExceptions();
            config.ConfigureConsole(env.Console);
            config.Settings.Registrar.RegisterInstance(new CliHost(env, language));

            // Root examples walk the product in order: demo, own data, KPIs, diagnosis, KPI system.
            config.AddExample("demo");
            config.AddExample("init", "--db", "sales.duckdb", "--timezone", "Europe/Moscow", "--currency", "RUB");
            config.AddExample("import", "data/", "--db", "sales.duckdb");
            config.AddExample("import", "exports/", "--profile", "bitrix24", "--dry-run");
            config.AddExample("status");
            config.AddExample("report", "--period", "2025-Q3", "--by", "channel");
            config.AddExample("explain", "win_rate", "--period", "2025-Q3");
            config.AddExample("diagnose", "--period", "2025-Q3", "--compare", "year");
            config.AddExample("funnel", "--period", "2025-Q3");
            config.AddExample("simulate", "--set", "win_rate=+2pp");
            config.AddExample("params", "set", "lead_to_sql_window_days", "45");
            config.AddExample("config", "apply", "saleskpi.kpi-system.yaml", "--reason", "\"Q1 planning\"");
            config.AddExample("targets", "suggest", "win_rate", "--period", "2026-Q1", "--apply", "--reason", "\"from history\"");
            config.AddExample("scorecard", "--period", "2025-Q3");
            config.AddExample("check", "--period", "2025-Q3");
            config.AddExample("review", "--periods", "4");

            // Unknown options are errors with the closest valid one named, not silently ignored.
            config.SetInterceptor(new UnknownOptions());

            config.AddCommand<DemoCommand>("demo")
                .WithDescription(Loc.T(
                    "See the whole product in one command: generate a realistic service company's sales history, import it and show the last quarter's scorecard.",
                    "Весь продукт одной командой: сгенерировать реалистичную историю продаж сервисной компании, импортировать её и показать показатели последнего квартала."))
                .WithExample("demo")
                .WithExample("demo", "--leads", "200000", "--seed", "7")
                .WithExample("demo", "--dirty", "--lang", "ru");

            config.AddCommand<InitCommand>("init")
                .WithDescription(Loc.T("Create a new workspace (one DuckDB file) with its time zone and currency.", "Создать рабочую область (один файл DuckDB) с часовым поясом и валютой."))
                .WithExample("init")
                .WithExample("init", "--db", "sales.duckdb", "--timezone", "Europe/Moscow", "--currency", "RUB");

            config.AddCommand<ImportCommand>("import")
                .WithDescription(Loc.T(
                    "Import canonical CSV or .xlsx files, or CRM and spreadsheet exports through a mapping profile, in one transaction. Exit code 0: all rows stored; 2: some rows rejected; 1: failure, nothing stored.",
                    "Импортировать файлы CSV или .xlsx канонического формата либо выгрузки CRM и таблиц через профиль сопоставления, одной транзакцией. Код выхода 0: все строки сохранены; 2: часть строк отклонена; 1: ошибка, ничего не сохранено."))
                .WithExample("import", "data/")
                .WithExample("import", "leads.csv", "deals.csv", "--db", "sales.duckdb")
                .WithExample("import", "data/", "--strict")
                .WithExample("import", "exports/", "--profile", "bitrix24", "--dry-run")
                .WithExample("import", "../shared/datasets/crm-sales-opportunities/sales_pipeline.csv", "--profile", "samples/profiles/crm-sales-opportunities.yaml");

            config.AddCommand<ReportCommand>("report")
                .WithDescription(Loc.T(
                    "Compute the KPIs of the sales cycle for a period, by grain and slice, with sample sizes and 95 % intervals.",
                    "Рассчитать KPI цикла продаж за период, по интервалам и разрезам, с размерами выборки и 95 % интервалами."))
                .WithExample("report", "--period", "2025-Q3")
                .WithExample("report", "--period", "2025", "--grain", "month", "--kpi", "leads,win_rate")
                .WithExample("report", "--period", "2025-09", "--by", "channel", "--format", "json")
                .WithExample("report", "--period", "2025-01-01..2025-06-30", "--as-of", "2025-06-15", "--format", "csv");

            config.AddCommand<ExplainCommand>("explain")
                .WithDescription(Loc.T(
                    "Show how one KPI value is computed: the formula with the actual numbers and the records behind it.",
                    "Показать, как получено значение KPI: формула с фактическими числами и записи, из которых оно сложилось."))
                .WithExample("explain", "win_rate", "--period", "2025-Q3")
                .WithExample("explain", "lead_to_sql_rate", "--period", "2025-09", "--slice", "channel=referral");

            config.AddCommand<DiagnoseCommand>("diagnose")
                .WithDescription(Loc.T(
                    "What changed, significantly, and who drives it: every KPI and pipeline stage against the previous period or a year before.",
                    "Что значимо изменилось и кто за этим стоит: все KPI и этапы воронки против предыдущего периода или прошлого года."))
                .WithExample("diagnose")
                .WithExample("diagnose", "--period", "2025-Q3", "--compare", "year")
                .WithExample("diagnose", "--period", "2025-09", "--format", "json");

            config.AddCommand<SimulateCommand>("simulate")
                .WithDescription(Loc.T(
                    "What-if: push levers (lead volume, conversions, response time, win rate, deal size, cycle) through the funnel to next period's won deals and revenue, with a Monte Carlo interval and the levers ranked.",
                    "Что если: провести изменения рычагов (лиды, конверсии, время ответа, коэффициент закрытия, чек, цикл) через воронку до выигрышей и выручки следующего периода, с интервалом Монте-Карло и рейтингом рычагов."))
                .WithExample("simulate", "--set", "leads.referral=+30%", "--set", "win_rate=+2pp")
                .WithExample("simulate", "--period", "2025-Q3", "--set", "lead_response_time=-50%");

            config.AddCommand<CalibrateCommand>("calibrate")
                .WithDescription(Loc.T(
                    "Check whether the lead-quality score predicts conversion: by score decile and by rule (lift), with suggested points.",
                    "Проверить, предсказывает ли балл качества лидов конверсию: по децилям и по правилам (лифт), с предлагаемыми баллами."))
                .WithExample("calibrate", "--period", "2025");

            config.AddCommand<BriefCommand>("brief")
                .WithDescription(Loc.T(
                    "The management brief of a period as one HTML or PDF document: scorecard, trends with targets, funnel, changes, velocity, levers, stalled deals, target review, definitions.",
                    "Управленческая сводка за период одним документом HTML или PDF: показатели, динамика с целями, воронка, изменения, скорость, рычаги, зависшие сделки, ревизия целей, определения."))
                .WithExample("brief", "--period", "2025-Q3")
                .WithExample("brief", "--period", "2025-Q3", "--format", "pdf", "--lang", "ru");

            config.AddCommand<FunnelCommand>("funnel")
                .WithDescription(Loc.T(
                    "Where the cycle loses deals and time: lead → SQL → opportunity → each pipeline stage → won, with conversions, losses and days per step.",
                    "Где цикл теряет сделки и время: лид → SQL → возможность → этапы воронки → выигрыш, с конверсиями, потерями и днями на шаг."))
                .WithExample("funnel", "--period", "2025-Q3")
                .WithExample("funnel", "--period", "2025", "--format", "json");

            config.AddCommand<ForecastCommand>("forecast")
                .WithDescription(Loc.T(
                    "Will we hit the period? Won deals and revenue expected, with 80/95 % intervals, from deals won, open deals and deals still to come; --backtest proves it on past periods.",
                    "Выполним ли план? Ожидаемые выигранные сделки и выручка с интервалами 80/95 % — из уже выигранных, открытых и ещё не созданных сделок; --backtest проверяет на прошлых периодах."))
                .WithExample("forecast", "--period", "2026-Q1")
                .WithExample("forecast", "--period", "2026-Q1", "--by", "owner", "--revenue-target", "5000000")
                .WithExample("forecast", "--backtest", "2024-Q1..2025-Q4", "--format", "json");

            config.AddCommand<SurvivalCommand>("survival")
                .WithDescription(Loc.T(
                    "How long winning really takes: Kaplan–Meier time-to-win with open deals counted, against the plain cycle of won deals.",
                    "Сколько на самом деле длится путь к выигрышу: время до выигрыша по Каплану — Мейеру с открытыми сделками против простого цикла выигранных."))
                .WithExample("survival", "--period", "2025")
                .WithExample("survival", "--period", "2025-Q3", "--format", "json");

            config.AddCommand<VelocityCommand>("velocity")
                .WithDescription(Loc.T(
                    "Split the change of sales velocity between two periods into deals, win rate, deal size and cycle length.",
                    "Разложить изменение скорости продаж между двумя периодами на сделки, коэффициент закрытия, средний чек и цикл."))
                .WithExample("velocity", "--period", "2025-Q3")
                .WithExample("velocity", "--period", "2025-09", "--compare", "year");

            config.AddCommand<ParamsCommand>("params")
                .WithDescription(Loc.T(
                    "Show or change the KPI definition parameters of the workspace (windows, SLA, win-rate basis, cycle start, lead-quality rules).",
                    "Показать или изменить параметры определений KPI (окна, SLA, база коэффициента закрытия, начало цикла, правила качества лидов)."))
                .WithExample("params")
                .WithExample("params", "set", "lead_to_sql_window_days", "45")
                .WithExample("params", "set", "win_rate_basis", "created")
                .WithExample("params", "reset");

            config.AddBranch("config", branch =>
            {
                branch.SetDescription(Loc.T(
                    "The KPI system: strategic goals, active and custom KPIs, definition parameters and targets, versioned with author, reason and effective date.",
                    "Система KPI: стратегические цели, активные и пользовательские KPI, параметры определений и цели — с версиями, автором, причиной и датой действия."));
                branch.AddCommand<ConfigValidateCommand>("validate")
                    .WithDescription(Loc.T("Check a KPI-system file and list every error with line, column, code and what to change.", "Проверить файл системы KPI и перечислить все ошибки со строкой, столбцом, кодом и исправлением."))
                    .WithExample("config", "validate")
                    .WithExample("config", "validate", "kpi-system.yaml");
                branch.AddCommand<ConfigApplyCommand>("apply")
                    .WithDescription(Loc.T("Store a KPI-system file as a new version (nothing changes when it has an error).", "Сохранить файл системы KPI как новую версию (при ошибках ничего не меняется)."))
                    .WithExample("config", "apply", "saleskpi.kpi-system.yaml", "--reason", "\"Q1 planning\"")
                    .WithExample("config", "apply", "kpi-system.yaml", "--reason", "\"SLA 30 min\"", "--effective", "2026-01-01");
                branch.AddCommand<ConfigLogCommand>("log")
                    .WithDescription(Loc.T("List the versions: when, who, why, effective from, lines changed.", "Список версий: когда, кто, почему, с какой даты, сколько строк изменено."))
                    .WithExample("config", "log");
                branch.AddCommand<ConfigDiffCommand>("diff")
                    .WithDescription(Loc.T("Show what changed between two versions.", "Показать, что изменилось между двумя версиями."))
                    .WithExample("config", "diff", "1", "2")
                    .WithExample("config", "diff", "3");
                branch.AddCommand<ConfigShowCommand>("show")
                    .WithDescription(Loc.T("Print a version as YAML (edit it and apply it again).", "Вывести версию в YAML (можно отредактировать и применить снова)."))
                    .WithExample("config", "show")
                    .WithExample("config", "show", "--config-version", "2");
            });

            config.AddBranch("targets", branch =>
            {
                branch.SetDescription(Loc.T("Targets per KPI, period and slice, checked for realism against history.", "Цели по KPI, периоду и разрезу с проверкой реалистичности по истории."));
                branch.AddCommand<TargetsSetCommand>("set")
                    .WithDescription(Loc.T("Set one target (a new version).", "Задать одну цель (новая версия)."))
                    .WithExample("targets", "set", "win_rate", "2026-Q1", "30%")
                    .WithExample("targets", "set", "leads", "2026-03", "1200", "--slice", "channel=referral", "--tolerance", "10")
                    .WithExample("targets", "set", "win_rate", "2026", "0.35", "--slice", "\"owner=Иванов Иван\"", "--reason", "\"annual plan\"");
                branch.AddCommand<TargetsRemoveCommand>("remove")
                    .WithDescription(Loc.T("Remove one target (a new version; earlier versions keep it).", "Удалить одну цель (новая версия; в прежних версиях она остаётся)."))
                    .WithExample("targets", "remove", "win_rate", "2026-Q1")
                    .WithExample("targets", "remove", "leads", "2026-03", "--slice", "channel=referral");
                branch.AddCommand<TargetsListCommand>("list")
                    .WithDescription(Loc.T("List the targets with their realism check.", "Список целей с проверкой реалистичности."))
                    .WithExample("targets", "list")
                    .WithExample("targets", "list", "--period", "2026-Q1", "--kpi", "win_rate");
                branch.AddCommand<TargetsImportCommand>("import")
                    .WithDescription(Markup.Escape(Loc.T("Import targets from CSV: kpi,period,value[,tolerance][,channel,owner,…]; all rows or none.", "Импорт целей из CSV: kpi,period,value[,tolerance][,channel,owner,…]; все строки или ни одной.")))
                    .WithExample("targets", "import", "targets-2026.csv", "--reason", "\"annual plan\"");
                branch.AddCommand<TargetsSuggestCommand>("suggest")
                    .WithDescription(Loc.T("Suggest a target from history (trend, seasonality, spread) with its chance of being reached.", "Предложить цель по истории (тренд, сезонность, разброс) с вероятностью её достижения."))
                    .WithExample("targets", "suggest", "win_rate", "--period", "2026-Q1")
                    .WithExample("targets", "suggest", "leads", "--period", "2026-03", "--by", "channel", "--apply")
                    .WithExample("targets", "suggest", "lead_response_time", "--period", "2026-Q1", "--probability", "0.3");
            });

            config.AddCommand<ScorecardCommand>("scorecard")
                .WithDescription(Loc.T(
                    "The KPI system for a period: value, target, status, change against the previous period and a year before (significance for proportions and NPS), pacing and goal attainment.",
                    "Система KPI за период: значение, цель, статус, изменение к прошлому периоду и году (значимость для долей и NPS), прогноз на конец и достижение целей."))
                .WithExample("scorecard")
                .WithExample("scorecard", "--period", "2026-Q1", "--by", "owner")
                .WithExample("scorecard", "--period", "2025", "--format", "json");

            config.AddCommand<ExportCommand>("export")
                .WithDescription(Loc.T(
                    "Export a period for a spreadsheet: scorecard, KPIs by period, a breakdown, the funnel and the leads and deals behind them, as an xlsx workbook or CSV files.",
                    "Выгрузить период для электронной таблицы: скоркард, KPI по периодам, разбивку, воронку и стоящие за ними лиды и сделки — книгой xlsx или файлами CSV."))
                .WithExample("export", "--period", "2025-Q3", "--out", "2025-Q3.xlsx")
                .WithExample("export", "--period", "2025", "--grain", "quarter", "--by", "owner", "--format", "csv", "--out", "kpi-2025.csv");

            config.AddCommand<CheckCommand>("check")
                .WithDescription(Loc.T(
                    "For cron: exit 0 when every KPI with a target is on track, 1 at risk, 2 off track, 3 on error; --notify posts the results to a webhook.",
                    "Для cron: код 0 — все KPI с целями по плану, 1 — под угрозой, 2 — отстают, 3 — ошибка; --notify отправляет результаты на вебхук."))
                .WithExample("check")
                .WithExample("check", "--period", "2026-03", "--notify", "https://hooks.example.com/saleskpi");

            config.AddBranch("digest", branch =>
            {
                branch.SetDescription(Loc.T(
                    "The scorecard summary by e-mail or chat webhook: off-track and at-risk KPIs first, significant changes, a dashboard link; sent now or on schedule by 'saleskpi serve' (docs/digests.md).",
                    "Сводка показателей письмом или в чат через вебхук: сначала отстающие и под угрозой, значимые изменения, ссылка на панель; сейчас или по расписанию через «saleskpi serve» (docs/digests.md)."));
                branch.SetDefaultCommand<DigestSendCommand>();
                branch.AddCommand<DigestSendCommand>("send")
                    .WithDescription(Loc.T("Build the digest of a period and send it now (same as 'digest' with options).", "Собрать дайджест за период и отправить сейчас (то же, что «digest» с параметрами)."))
                    .WithExample("digest", "--period", "2026-Q1", "--email", "head@example.com")
                    .WithExample("digest", "--webhook", "https://hooks.slack.com/services/T000/B000/XXXX", "--lang", "ru")
                    .WithExample("digest", "--period", "2026-03", "--email", "ivan@example.com", "--as-user", "ivan")
                    .WithExample("digest", "--print", "text");
                branch.AddCommand<DigestSubscribeCommand>("subscribe")
                    .WithDescription(Loc.T("Have 'saleskpi serve' send a user's digest on a schedule (workspace time zone).", "Поручить «saleskpi serve» отправлять дайджест пользователя по расписанию (часовой пояс рабочей области)."))
                    .WithExample("digest", "subscribe", "anna", "--weekly", "mon", "--at", "08:00", "--email", "anna@example.com")
                    .WithExample("digest", "subscribe", "ivan", "--daily", "--at", "09:30", "--webhook", "https://chat.example.com/hooks/abc", "--lang", "ru")
                    .WithExample("digest", "subscribe", "olga", "--monthly", "1", "--email", "olga@example.com", "--grain", "month");
                branch.AddCommand<DigestSubscriptionsCommand>("subscriptions")
                    .WithDescription(Loc.T("List the digest subscriptions.", "Список подписок на дайджест."))
                    .WithExample("digest", "subscriptions")
                    .WithExample("digest", "subscriptions", "--format", "json");
                branch.AddCommand<DigestUnsubscribeCommand>("unsubscribe")
                    .WithDescription(Loc.T("Remove a subscription by its number.", "Удалить подписку по номеру."))
                    .WithExample("digest", "unsubscribe", "3");
                branch.AddCommand<DigestDeliveriesCommand>("deliveries")
                    .WithDescription(Loc.T("Every delivery attempt, newest first: time, channel, recipient, status, error.", "Все попытки доставки, сначала новые: время, канал, получатель, статус, ошибка."))
                    .WithExample("digest", "deliveries")
                    .WithExample("digest", "deliveries", "--limit", "10", "--format", "json");
                branch.AddCommand<DigestSettingsCommand>("settings")
                    .WithDescription(Loc.T("Show or store the dashboard address and the SMTP server (the environment wins; the password only from SALESKPI_SMTP_PASSWORD).", "Показать или сохранить адрес панели и SMTP-сервер (переменные окружения важнее; пароль только из SALESKPI_SMTP_PASSWORD)."))
                    .WithExample("digest", "settings")
                    .WithExample("digest", "settings", "--public-url", "https://kpi.example.com", "--smtp-host", "smtp.example.com", "--smtp-user", "kpi@example.com");
            });

            config.AddCommand<SnapshotCommand>("snapshot")
                .WithDescription(Loc.T("Store the scorecard as reported, with the definitions and targets in force.", "Сохранить показатели как отчитались, вместе с действующими определениями и целями."))
                .WithExample("snapshot")
                .WithExample("snapshot", "--period", "2026-Q1", "--by", "owner");

            config.AddCommand<HistoryCommand>("history")
                .WithDescription(Loc.T("The stored series of a KPI from snapshots, with a sparkline.", "Сохранённый ряд KPI из снимков со спарклайном."))
                .WithExample("history", "win_rate")
                .WithExample("history", "leads", "--by", "owner");

            config.AddCommand<ReviewCommand>("review")
                .WithDescription(Loc.T(
                    "Review the KPI system: targets always met or always missed, too few observations, KPIs without goals, goals without KPIs, changed definitions.",
                    "Обзор системы KPI: всегда выполняемые и невыполнимые цели, мало наблюдений, KPI без целей, цели без KPI, изменённые определения."))
                .WithExample("review")
                .WithExample("review", "--periods", "6", "--grain", "month");

            config.AddCommand<ServeCommand>("serve")
                .WithDescription(Loc.T(
                    "Serve the workspace to the team as a REST API and web dashboard (sign-in, roles, tokens; reads, changes, imports by upload; JSON as --format json, OpenAPI at /openapi/v1.json) until Ctrl+C. The first start creates the user admin.",
                    "Отдавать рабочую область команде через REST API и веб-панель (вход, роли, токены; чтение, изменения, импорт загрузкой; JSON как у --format json, OpenAPI на /openapi/v1.json) до Ctrl+C. Первый запуск создаёт пользователя admin."))
                .WithExample("serve")
                .WithExample("serve", "--db", "sales.duckdb", "--urls", "http://127.0.0.1:5080")
                .WithExample("serve", "--admin-password-file", "admin.txt")
                .WithExample("serve", "--oidc-authority", "https://id.example.com/realms/sales", "--oidc-client-id", "saleskpi");

            config.AddBranch("users", branch =>
            {
                branch.SetDescription(Loc.T(
                    "The people and scripts that may use 'saleskpi serve': users with roles, passwords and personal API tokens.",
                    "Люди и скрипты, которым доступен «saleskpi serve»: пользователи с ролями, паролями и личными API-токенами."));
                branch.AddCommand<UsersAddCommand>("add")
                    .WithDescription(Loc.T("Add a user with a role; a rep also needs their CRM owner name. Without --password-file a password is generated and printed once.", "Добавить пользователя с ролью; для rep нужно имя владельца в CRM. Без --password-file пароль создаётся и выводится один раз."))
                    .WithExample("users", "add", "anna", "--role", "manager")
                    .WithExample("users", "add", "ivan", "--role", "rep", "--owner", "\"Ivan Petrov\"")
                    .WithExample("users", "add", "olga", "--role", "head", "--password-file", "olga.txt");
                branch.AddCommand<UsersListCommand>("list")
                    .WithDescription(Loc.T("List the users: role, CRM owner, disabled or locked.", "Список пользователей: роль, владелец в CRM, отключён или заблокирован."))
                    .WithExample("users", "list")
                    .WithExample("users", "list", "--format", "json");
                branch.AddCommand<UsersDisableCommand>("disable")
                    .WithDescription(Loc.T("Disable a user: their sign-in, sessions and tokens stop working.", "Отключить пользователя: вход, сеансы и токены перестают работать."))
                    .WithExample("users", "disable", "ivan");
                branch.AddCommand<UsersEnableCommand>("enable")
                    .WithDescription(Loc.T("Enable a disabled user again.", "Снова включить отключённого пользователя."))
                    .WithExample("users", "enable", "ivan");
                branch.AddCommand<UsersResetPasswordCommand>("reset-password")
                    .WithDescription(Loc.T("Set a new password (generated unless --password-file) and lift a lockout.", "Задать новый пароль (создаётся, если нет --password-file) и снять блокировку."))
                    .WithExample("users", "reset-password", "ivan")
                    .WithExample("users", "reset-password", "admin", "--password-file", "admin.txt");
                branch.AddCommand<UsersSetRoleCommand>("set-role")
                    .WithDescription(Loc.T("Change a user's role (and CRM owner name).", "Изменить роль пользователя (и имя владельца в CRM)."))
                    .WithExample("users", "set-role", "ivan", "manager")
                    .WithExample("users", "set-role", "anna", "rep", "--owner", "\"Anna Smirnova\"");
                branch.AddCommand<UsersTokenCommand>("token")
                    .WithDescription(Loc.T("Make a personal API token for scripts (shown once, stored hashed), list them, or revoke one.", "Создать личный API-токен для скриптов (показывается один раз, хранится хеш), показать токены или отозвать."))
                    .WithExample("users", "token", "anna")
                    .WithExample("users", "token", "anna", "--expires", "2026-12-31")
                    .WithExample("users", "token", "anna", "--list")
                    .WithExample("users", "token", "anna", "--revoke", "skp_1a2b3c4d");
                branch.AddCommand<UsersCompanyTotalsCommand>("reps-see-company-totals")
                    .WithDescription(Loc.T("Let reps also see company-wide totals (on) or only their own data (off, the default).", "Разрешить менеджерам по продажам видеть итоги по компании (on) или только свои данные (off, по умолчанию)."))
                    .WithExample("users", "reps-see-company-totals", "on");
            });

            config.AddCommand<AuditCommand>("audit")
                .WithDescription(Loc.T("Who changed what, when: targets, KPI-system versions, parameters, snapshots and imports, newest first.", "Кто, что и когда изменил: цели, версии системы KPI, параметры, снимки и импорты — сначала новые."))
                .WithExample("audit")
                .WithExample("audit", "--limit", "20", "--format", "json");

            config.AddCommand<StatusCommand>("status")
                .WithDescription(Loc.T("Show what the workspace holds: rows and date range per entity, and the last imports.", "Показать содержимое рабочей области: строки и период по сущностям, последние импорты."))
                .WithExample("status")
                .WithExample("status", "--db", "sales.duckdb");
        });

        try
        {
            var code = app.Run(args);
            if (verbose)
            {
                // Read by the benchmarks; on Linux this is the kernel's high-water mark of resident memory.
                using var self = System.Diagnostics.Process.GetCurrentProcess();
                env.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trace: peak memory: {self.PeakWorkingSet64 / (1024 * 1024)} MB"));
                // Page faults are what huge pages save; on a virtual machine they are dear (docs/benchmarks.md).
                if (PageFaults() is { } faults)
                {
                    var pages = EngineHugePages.Active
                        ? string.Create(CultureInfo.InvariantCulture, $"engine memory advised for huge pages: {EngineHugePages.AdvisedBytes / (1024 * 1024)} MB")
                        : "huge pages not asked for";
                    env.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trace: minor page faults: {faults}; {pages}"));
                }
            }

            return code;
        }
        catch (Exception ex)
        {
            var code = Fail(ex, args, verbose, env);
            // 'check' runs under cron: its failures must not look like "at risk" (1).
            return args.FirstOrDefault(a => !a.StartsWith('-')) == "check" ? CheckExit.Error : code;
        }
    }

    // The process's minor page faults so far: the tenth field of /proc/self/stat, counted after the command's name,
    // which is in parentheses and may itself hold spaces. Null off Linux.
    private static long? PageFaults()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.TryParse(fields[7], NumberStyles.None, CultureInfo.InvariantCulture, out var faults) ? faults : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The product version, from the assembly.</summary>
    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static int Fail(Exception ex, string[] args, bool verbose, CliEnvironment env)
    {
        var err = AnsiConsole.Create(env.ErrorRedirected
            ? new AnsiConsoleSettings { Out = new AnsiConsoleOutput(env.Error), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors }
            : new AnsiConsoleSettings { Out = new AnsiConsoleOutput(env.Error) });
        if (env.ErrorRedirected)
        {
            err.Profile.Width = 250;
        }

        var message = ex switch
        {
            CommandParseException or CommandRuntimeException when UnknownOptions.FromArgs(args) is { } unknown => unknown.Message,
            SalesKpiException user => user.Render(Loc.Current),
            CommandParseException or CommandRuntimeException when NotConvertible(ex.Message, args) is { } conversion => conversion,
            CommandParseException or CommandRuntimeException => Loc.F("{0} Run 'saleskpi --help' for usage.", "{0} Справка: «saleskpi --help».", ex.Message.TrimEnd('.') + "."),
            OperationCanceledException => Loc.T("Cancelled; nothing was changed.", "Отменено; ничего не изменено."),
            _ => Loc.F("Unexpected error: {0} Run again with --verbose for details.", "Непредвиденная ошибка: {0} Подробности — с --verbose.", ex.Message),
        };
        err.MarkupLine("[red]" + Markup.Escape(Loc.T("error: ", "ошибка: ") + message) + "[/]");
        if (verbose)
        {
            err.WriteLine(ex.ToString());
        }

        return Failure;
    }

    // "saleskpi --lang ru report …" reads naturally, but Spectre takes options only after the command: move it there.
    private static string[] LeadingLanguageLast(string[] args) =>
        args.Length >= 3 && args[0] == "--lang" && !args[2].StartsWith('-')
            ? [.. args[2..], "--lang", args[1]]
            : args;

    // Spectre says "Failed to convert 'abc' to Decimal." without naming the option or the expected form.
    private static string? NotConvertible(string message, string[] args)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, @"^Failed to convert '(?<value>.*)' to (?<type>\w+)\.?$");
        if (!m.Success)
        {
            return null;
        }

        var value = m.Groups["value"].Value;
        var at = Array.IndexOf(args, value);
        var option = at > 0 && args[at - 1].StartsWith("--", StringComparison.Ordinal) ? args[at - 1]
            : args.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal) && a.EndsWith("=" + value, StringComparison.Ordinal))?.Split('=')[0]
            ?? Loc.T("a value", "значение");
        var expected = m.Groups["type"].Value switch
        {
            "Decimal" or "Double" or "Single" => Loc.T("a number, with '.' as the decimal separator (e.g. 12.5)", "числом с точкой как десятичным разделителем (например, 12.5)"),
            "Int32" or "Int64" or "Int16" or "UInt32" => Loc.T("a whole number (e.g. 3)", "целым числом (например, 3)"),
            "Boolean" => Loc.T("true or false", "true или false"),
            _ => Loc.T("of the documented form", "в описанном в справке виде"),
        };
        return Loc.F("{0} '{1}' is not valid: give {2}. Run 'saleskpi --help' for usage.", "{0} «{1}» — недопустимое значение: оно должно быть {2}. Справка: «saleskpi --help».", option, value, expected);
    }

    private static Language ChooseLanguage(string[] args, CliEnvironment env)
    {
        var i = Array.IndexOf(args, "--lang");
        if (i >= 0 && i + 1 < args.Length && Loc.Parse(args[i + 1]) is { } fromArgs)
        {
            return fromArgs;
        }

        return Loc.Parse(env.Variable("SALESKPI_LANG"))
            ?? Loc.Parse(CultureInfo.CurrentUICulture.Name)
            ?? Language.En;
    }
}
