using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Application.Services;

/// <summary>
/// The roles of a server user, in increasing power: each may do what the roles below it may. A <see cref="Rep"/>
/// reads only the data of their own CRM owner name; a <see cref="Manager"/> reads everything; a <see cref="Head"/>
/// also changes the KPI system, targets and data; an <see cref="Admin"/> also manages users.
/// </summary>
public enum UserRole
{
    /// <summary>A sales rep: reads, scoped to their own leads and deals.</summary>
    Rep = 0,

    /// <summary>Reads everything, changes nothing.</summary>
    Manager = 1,

    /// <summary>Reads everything; changes the KPI system, targets, parameters and data.</summary>
    Head = 2,

    /// <summary>Everything, including users.</summary>
    Admin = 3,
}

/// <summary>A user of the server as stored (never the password hash).</summary>
/// <param name="Name">The sign-in name, unique in the workspace.</param>
/// <param name="Role">What the user may do.</param>
/// <param name="CrmOwner">The CRM owner name a rep is (their data scope); null for other roles unless set.</param>
/// <param name="Disabled">A disabled user cannot sign in, and their tokens stop working.</param>
/// <param name="LockedUntilUtc">Until when password sign-in is refused after repeated failures; null when not locked.</param>
/// <param name="CreatedAtUtc">When the user was added.</param>
/// <param name="ChangedAtUtc">When the user was last changed (role, password, state).</param>
public sealed record UserInfo(string Name, UserRole Role, string? CrmOwner, bool Disabled, DateTime? LockedUntilUtc, DateTime CreatedAtUtc, DateTime ChangedAtUtc);

/// <summary>A request to add a user.</summary>
/// <param name="Name">The sign-in name: letters, digits, '.', '_', '-', '@', at most 64.</param>
/// <param name="Role">rep, manager, head or admin.</param>
/// <param name="CrmOwner">The CRM owner name of a rep, exactly as in the data; required for reps.</param>
/// <param name="Password">The password (at least 8 characters); null generates one.</param>
public sealed record AddUserRequest(string Name, string Role, string? CrmOwner, string? Password);

/// <summary>The sign-in attempts a client has made in the current window, counted by <see cref="UsersService.CountSignInAttempt"/>.</summary>
/// <param name="Attempts">The attempts so far in the window, the one just counted included.</param>
/// <param name="WindowLeft">How long until the window ends and the count starts again.</param>
public sealed record SignInCount(long Attempts, TimeSpan WindowLeft);

/// <summary>What <see cref="UsersService.EnsureAdmin"/> found or did at a server's start.</summary>
/// <param name="Created">The admin this call created; null when the workspace had users.</param>
/// <param name="ByAnotherProcess">True when the workspace had no users as this call began but another process (a server started at the same moment) created the admin first.</param>
public sealed record AdminAtStart(UserAdded? Created, bool ByAnotherProcess);

/// <summary>A user added; <paramref name="GeneratedPassword"/> is the only time a generated password is shown.</summary>
/// <param name="User">The user as stored.</param>
/// <param name="GeneratedPassword">The password made for the user, or null when the caller gave one.</param>
public sealed record UserAdded(UserInfo User, string? GeneratedPassword);

/// <summary>A personal API token as stored: its display prefix and dates, never the secret.</summary>
/// <param name="Prefix">The token's public beginning (<c>skp_</c> and 8 hex digits), which names it for listing and revoking.</param>
/// <param name="User">The owner.</param>
/// <param name="CreatedAtUtc">When it was made.</param>
/// <param name="ExpiresAtUtc">When it stops working; null for never.</param>
/// <param name="RevokedAtUtc">When it was revoked; null while not revoked.</param>
public sealed record TokenInfo(string Prefix, string User, DateTime CreatedAtUtc, DateTime? ExpiresAtUtc, DateTime? RevokedAtUtc)
{
    /// <summary>True when the token works at <paramref name="nowUtc"/>: not revoked and not expired.</summary>
    public bool ActiveAt(DateTime nowUtc) => RevokedAtUtc is null && (ExpiresAtUtc is null || nowUtc < ExpiresAtUtc);
}

/// <summary>A token just made. <paramref name="Secret"/> is shown this once; only its SHA-256 is stored.</summary>
/// <param name="Token">The token as stored.</param>
/// <param name="Secret">The whole token to send as <c>Authorization: Bearer …</c>.</param>
public sealed record TokenCreated(TokenInfo Token, string Secret);

/// <summary>A signed-in user: who, and what of the data they may read.</summary>
/// <param name="User">The user.</param>
/// <param name="RepsSeeCompanyTotals">The workspace setting that lets reps see company-wide totals.</param>
public sealed record SignedIn(UserInfo User, bool RepsSeeCompanyTotals)
{
    /// <summary>The data scope of the user's requests: their CRM owner for a rep, null (everything) otherwise.</summary>
    public DataScope? Scope => User.Role == UserRole.Rep ? new DataScope(User.CrmOwner ?? string.Empty, RepsSeeCompanyTotals) : null;
}

/// <summary>
/// The users use case: the people and scripts that may call <c>saleskpi serve</c>, stored in the workspace
/// (tables <c>users</c> and <c>api_tokens</c>). Passwords are hashed with ASP.NET Core Identity's
/// <see cref="PasswordHasher{TUser}"/>; tokens are stored as the SHA-256 of their secret. Five failed password
/// attempts lock a user's password sign-in for 15 minutes. "Now" is the context's clock.
/// </summary>
public sealed partial class UsersService
{
    /// <summary>Failed password attempts in a row that lock the password sign-in.</summary>
    public const int MaxFailedAttempts = 5;

    /// <summary>The user <c>serve</c> creates on a workspace that has none.</summary>
    public const string FirstAdmin = "admin";

    /// <summary>The beginning of every API token.</summary>
    public const string TokenPrefix = "skp_";

    /// <summary>How long a lock after <see cref="MaxFailedAttempts"/> failures lasts.</summary>
    public static readonly TimeSpan LockoutTime = TimeSpan.FromMinutes(15);

    /// <summary>The workspace setting (<c>saleskpi_meta</c> key) that lets reps see company totals: <c>on</c> or absent.</summary>
    public const string RepsSeeCompanyTotalsKey = "server.reps_see_company_totals";

    private const int MinPasswordLength = 8;
    private const string Columns = "name, role, crm_owner, disabled, locked_until, created_at, changed_at";

    private static readonly PasswordHasher<string> Hasher = new();

    // Verified when the name is unknown, so a wrong name costs the same time as a wrong password.
    private static readonly Lazy<string> DecoyHash = new(() => Hasher.HashPassword(string.Empty, "decoy password"));

    /// <summary>Adds a user; generates a password when none is given.</summary>
    public UserAdded Add(AddUserRequest request, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ctx);
        var (role, owner, password, generated) = Checked(request);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        if (FindUser(ws, request.Name) is not null)
        {
            throw new SalesKpiException(Msg.Of("users.exists", "User {0} already exists: choose another name, or change that user.", "Пользователь {0} уже есть: выберите другое имя или измените этого пользователя.", request.Name));
        }

        using var tx = ws.BeginTransaction();
        Insert(ws, request.Name, role, owner, password, ctx);
        tx.Commit();
        return new UserAdded(FindUser(ws, request.Name)!, generated);
    }

    private static (UserRole Role, string? Owner, string Password, string? Generated) Checked(AddUserRequest request)
    {
        CheckName(request.Name);
        var role = ParseRole(request.Role);
        var owner = OwnerFor(role, request.CrmOwner);
        var generated = request.Password is null ? NewPassword() : null;
        var password = request.Password ?? generated!;
        CheckPassword(password);
        return (role, owner, password, generated);
    }

    // Inside the caller's transaction: the user's row and its audit record.
    private static void Insert(Workspace ws, string name, UserRole role, string? owner, string password, RequestContext ctx)
    {
        var now = Now(ctx);
        var d = ws.Dialect;
        ws.Execute(
            $"INSERT INTO users (name, role, crm_owner, disabled, password_hash, failed_attempts, locked_until, created_at, changed_at) VALUES ({d.Parameter(1)}, {d.Parameter(2)}, {d.Parameter(3)}, false, {d.Parameter(4)}, 0, NULL, {d.Parameter(5)}, {d.Parameter(5)})",
            name, RoleName(role), owner, Hasher.HashPassword(name, password), now);
        AuditService.Record(ws, ctx, "users.add", name, [new("role", RoleName(role)), new("crm_owner", owner)]);
    }

    /// <summary>Every user, by name.</summary>
    public IReadOnlyList<UserInfo> List(RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        return [.. ws.Query($"SELECT {Columns} FROM users ORDER BY name", Read)];
    }

    /// <summary>Disables (<paramref name="disabled"/> true) or enables a user; a disabled user's sign-in and tokens stop working.</summary>
    public UserInfo SetDisabled(string name, bool disabled, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        var user = Existing(ws, name);
        if (disabled && user.Role == UserRole.Admin && !user.Disabled && ActiveAdmins(ws) <= 1)
        {
            throw new SalesKpiException(Msg.Of("users.last_admin", "{0} is the last enabled admin: make another admin first, or nobody could manage users.", "{0} — последний активный администратор: сначала назначьте другого, иначе управлять пользователями будет некому.", name));
        }

        using var tx = ws.BeginTransaction();
        ws.Execute($"UPDATE users SET disabled = {ws.Dialect.Parameter(1)}, changed_at = {ws.Dialect.Parameter(2)} WHERE name = {ws.Dialect.Parameter(3)}", disabled, Now(ctx), name);
        AuditService.Record(ws, ctx, disabled ? "users.disable" : "users.enable", name, []);
        tx.Commit();
        return FindUser(ws, name)!;
    }

    /// <summary>Sets a user's password (generated when null) and lifts a lockout; returns the generated password, or null.</summary>
    public string? ResetPassword(string name, string? password, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var generated = password is null ? NewPassword() : null;
        CheckPassword(password ?? generated!);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        Existing(ws, name);
        var d = ws.Dialect;
        using var tx = ws.BeginTransaction();
        ws.Execute(
            $"UPDATE users SET password_hash = {d.Parameter(1)}, failed_attempts = 0, locked_until = NULL, changed_at = {d.Parameter(2)} WHERE name = {d.Parameter(3)}",
            Hasher.HashPassword(name, password ?? generated!), Now(ctx), name);
        AuditService.Record(ws, ctx, "users.reset_password", name, [new("generated", generated is not null)]);
        tx.Commit();
        return generated;
    }

    /// <summary>Changes a user's role and CRM owner name (required for a rep).</summary>
    public UserInfo SetRole(string name, string role, string? crmOwner, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var parsed = ParseRole(role);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        var user = Existing(ws, name);
        var owner = OwnerFor(parsed, crmOwner ?? user.CrmOwner);
        if (user.Role == UserRole.Admin && parsed != UserRole.Admin && !user.Disabled && ActiveAdmins(ws) <= 1)
        {
            throw new SalesKpiException(Msg.Of("users.last_admin", "{0} is the last enabled admin: make another admin first, or nobody could manage users.", "{0} — последний активный администратор: сначала назначьте другого, иначе управлять пользователями будет некому.", name));
        }

        var d = ws.Dialect;
        using var tx = ws.BeginTransaction();
        ws.Execute($"UPDATE users SET role = {d.Parameter(1)}, crm_owner = {d.Parameter(2)}, changed_at = {d.Parameter(3)} WHERE name = {d.Parameter(4)}", RoleName(parsed), owner, Now(ctx), name);
        AuditService.Record(ws, ctx, "users.set_role", name, [new("role", RoleName(parsed)), new("crm_owner", owner)]);
        tx.Commit();
        return FindUser(ws, name)!;
    }

    /// <summary>
    /// Counts one password sign-in attempt of <paramref name="client"/> (e.g. its address) in the current fixed window of
    /// length <paramref name="window"/> (windows start at multiples of it from the epoch, by the context's clock) in the
    /// workspace, where every server process of the workspace counts: the limit holds for all of them together.
    /// </summary>
    public SignInCount CountSignInAttempt(string client, TimeSpan window, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        var now = Now(ctx);
        var start = new DateTime(now.Ticks - (now.Ticks % window.Ticks), DateTimeKind.Utc);
        using var ws = (ctx with { Scope = null, Pool = null }).Open(WorkspaceAccess.ReadWrite);
        return new SignInCount(SignInWindows.Count(ws, client, start), start + window - now);
    }

    /// <summary>
    /// Checks a name and password. Counts a failure and, at the <see cref="MaxFailedAttempts"/>th in a row, locks the
    /// password sign-in for <see cref="LockoutTime"/>; a success resets the count. Throws <c>auth.failed</c> without
    /// saying whether the name exists, <c>auth.locked</c> (with the time it ends) while locked.
    /// </summary>
    public SignedIn VerifyPassword(string name, string password, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        var now = Now(ctx);
        var d = ws.Dialect;
        var row = ws.Query(
            $"SELECT password_hash, locked_until, disabled FROM users WHERE name = {d.Parameter(1)}",
            r => (Hash: r.IsDBNull(0) ? null : r.GetString(0), LockedUntil: r.IsDBNull(1) ? (DateTime?)null : r.GetDateTime(1), Disabled: r.GetBoolean(2)),
            name ?? string.Empty).FirstOrDefault();
        if (row.Hash is null)
        {
            Hasher.VerifyHashedPassword(string.Empty, DecoyHash.Value, password ?? string.Empty);
            throw Failed();
        }

        if (row.LockedUntil is { } until && now < until)
        {
            throw Locked(until);
        }

        var result = Hasher.VerifyHashedPassword(name!, row.Hash, password ?? string.Empty);
        if (result == PasswordVerificationResult.Failed)
        {
            // Counted in one statement: a count read first and written back loses the failures another process (or
            // request) counts in between, and the lockout would come late or never.
            var failed = Convert.ToInt32(
                ws.Scalar($"UPDATE users SET failed_attempts = failed_attempts + 1 WHERE name = {d.Parameter(1)} RETURNING failed_attempts", name),
                System.Globalization.CultureInfo.InvariantCulture);
            if (failed >= MaxFailedAttempts)
            {
                var lockedUntil = now + LockoutTime;
                ws.Execute($"UPDATE users SET failed_attempts = 0, locked_until = {d.Parameter(1)} WHERE name = {d.Parameter(2)}", lockedUntil, name);
                throw Locked(lockedUntil);
            }

            throw Failed();
        }

        if (row.Disabled)
        {
            throw Failed();
        }

        var newHash = result == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(name!, password!) : row.Hash;
        ws.Execute($"UPDATE users SET failed_attempts = 0, locked_until = NULL, password_hash = {d.Parameter(1)} WHERE name = {d.Parameter(2)}", newHash, name);
        return new SignedIn(FindUser(ws, name!)!, RepsSeeCompanyTotals(ws));
    }

    /// <summary>The signed-in user of a name (a session cookie, an OpenID Connect sign-in), or null when unknown or disabled.</summary>
    public SignedIn? Find(string name, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        return FindUser(ws, name) is { Disabled: false } user ? new SignedIn(user, RepsSeeCompanyTotals(ws)) : null;
    }

    /// <summary>
    /// The user a bearer token belongs to. Throws <c>auth.token_invalid</c> for a token that is malformed, unknown,
    /// revoked, expired or whose user is disabled (one answer for all, so a caller learns nothing of other tokens).
    /// </summary>
    public SignedIn VerifyToken(string secret, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (string.IsNullOrEmpty(secret) || !secret.StartsWith(TokenPrefix, StringComparison.Ordinal) || secret.Length > 200)
        {
            throw TokenInvalid();
        }

        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var token = ws.Query(
            $"SELECT prefix, user_name, created_at, expires_at, revoked_at FROM api_tokens WHERE secret_hash = {ws.Dialect.Parameter(1)}",
            ReadToken, HashToken(secret)).FirstOrDefault();
        if (token is null || !token.ActiveAt(Now(ctx)) || FindUser(ws, token.User) is not { Disabled: false } user)
        {
            throw TokenInvalid();
        }

        return new SignedIn(user, RepsSeeCompanyTotals(ws));
    }

    /// <summary>Makes a personal API token for <paramref name="name"/>, expiring at <paramref name="expiresAtUtc"/> (null: never).</summary>
    public TokenCreated CreateToken(string name, DateTime? expiresAtUtc, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        Existing(ws, name);
        var now = Now(ctx);
        if (expiresAtUtc is { } expires && expires <= now)
        {
            throw new SalesKpiException(Msg.Of("users.token_expiry_past", "The expiry {0} UTC is not in the future: give e.g. 90d or a later date.", "Срок {0} UTC уже прошёл: укажите, например, 90d или дату позже.", Minute(expires)));
        }

        var prefix = TokenPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var secret = prefix + "_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var d = ws.Dialect;
        using var tx = ws.BeginTransaction();
        ws.Execute(
            $"INSERT INTO api_tokens (prefix, user_name, secret_hash, created_at, expires_at, revoked_at) VALUES ({d.Parameter(1)}, {d.Parameter(2)}, {d.Parameter(3)}, {d.Parameter(4)}, {d.Parameter(5)}, NULL)",
            prefix, name, HashToken(secret), now, expiresAtUtc);

        // The prefix only: the secret is shown once and stored nowhere, the audit log included.
        AuditService.Record(ws, ctx, "users.token_create", name, [new("prefix", prefix), new("expires_at", expiresAtUtc)]);
        tx.Commit();
        return new TokenCreated(new TokenInfo(prefix, name, now, expiresAtUtc, null), secret);
    }

    /// <summary>The tokens of <paramref name="name"/>, newest first, revoked and expired ones included.</summary>
    public IReadOnlyList<TokenInfo> ListTokens(string name, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        Existing(ws, name);
        return [.. ws.Query($"SELECT prefix, user_name, created_at, expires_at, revoked_at FROM api_tokens WHERE user_name = {ws.Dialect.Parameter(1)} ORDER BY created_at DESC, prefix", ReadToken, name)];
    }

    /// <summary>Revokes the token of <paramref name="name"/> whose prefix is <paramref name="prefix"/> (with or without <c>skp_</c>).</summary>
    public TokenInfo RevokeToken(string name, string prefix, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(ctx);
        var full = prefix.StartsWith(TokenPrefix, StringComparison.Ordinal) ? prefix : TokenPrefix + prefix;
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        var d = ws.Dialect;
        using var tx = ws.BeginTransaction();
        var updated = ws.Execute($"UPDATE api_tokens SET revoked_at = coalesce(revoked_at, {d.Parameter(1)}) WHERE prefix = {d.Parameter(2)} AND user_name = {d.Parameter(3)}", Now(ctx), full, name);
        if (updated == 0)
        {
            throw new SalesKpiException(Msg.Of("users.no_such_token", "{0} has no token {1}: 'saleskpi users token {0} --list' lists them.", "У {0} нет токена {1}: список — «saleskpi users token {0} --list».", name, full));
        }

        AuditService.Record(ws, ctx, "users.token_revoke", name, [new("prefix", full)]);
        tx.Commit();
        return ws.Query($"SELECT prefix, user_name, created_at, expires_at, revoked_at FROM api_tokens WHERE prefix = {d.Parameter(1)}", ReadToken, full).First();
    }

    /// <summary>
    /// On a workspace with no users, creates <see cref="FirstAdmin"/> with <paramref name="password"/> (generated
    /// when null). Several server processes starting at the same moment on one workspace all succeed: the users are
    /// counted again while holding a settings row lock (<see cref="FirstAdminLockKey"/>) that the others wait for, so
    /// one process creates the admin and the others find it (<see cref="AdminAtStart.ByAnotherProcess"/>).
    /// </summary>
    public AdminAtStart EnsureAdmin(string? password, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using (var ro = ctx.Open(WorkspaceAccess.ReadOnly))
        {
            if (HasUsers(ro))
            {
                return new AdminAtStart(null, false);
            }
        }

        var (role, owner, checkedPassword, generated) = Checked(new AddUserRequest(FirstAdmin, "admin", null, password));
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        using var tx = ws.BeginTransaction();
        ws.WriteSetting(FirstAdminLockKey, "held while the first admin is made");
        if (HasUsers(ws))
        {
            return new AdminAtStart(null, true);
        }

        Insert(ws, FirstAdmin, role, owner, checkedPassword, ctx);
        tx.Commit();
        return new AdminAtStart(new UserAdded(FindUser(ws, FirstAdmin)!, generated), false);
    }

    /// <summary>The settings key whose row <see cref="EnsureAdmin"/> locks while it makes the first admin.</summary>
    public const string FirstAdminLockKey = "lock.first_admin";

    private static bool HasUsers(Workspace ws) => Convert.ToInt64(ws.Scalar("SELECT count(*) FROM users"), CultureInfo.InvariantCulture) > 0;

    /// <summary>Whether reps may see company-wide totals (the workspace setting; off unless turned on).</summary>
    public bool RepsSeeCompanyTotals(RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        return RepsSeeCompanyTotals(ws);
    }

    /// <summary>Turns the company totals for reps on or off.</summary>
    public void SetRepsSeeCompanyTotals(bool on, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        using var tx = ws.BeginTransaction();
        if (on)
        {
            ws.WriteSetting(RepsSeeCompanyTotalsKey, "on");
        }
        else
        {
            ws.DeleteSetting(RepsSeeCompanyTotalsKey);
        }

        AuditService.Record(ws, ctx, "users.reps_see_company_totals", on ? "on" : "off", []);
        tx.Commit();
    }

    /// <summary>Parses an expiry: a number of days (<c>90d</c>) from now, or a date (<c>2026-12-31</c>, the token works through that day in UTC).</summary>
    public static DateTime? ParseExpiry(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text) || text is "never")
        {
            return null;
        }

        if (text.EndsWith('d') && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is > 0 and <= 3650)
        {
            return now.UtcDateTime.AddDays(days);
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        }

        throw new SalesKpiException(Msg.Of("users.bad_expiry", "Expiry '{0}' is not understood: give days like 90d (1 to 3650), a date like 2026-12-31, or never.", "Срок «{0}» не распознан: укажите дни, например 90d (от 1 до 3650), дату, например 2026-12-31, или never.", text));
    }

    /// <summary>The SHA-256 (hex) under which a token's secret is stored.</summary>
    public static string HashToken(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Parses a role name (rep, manager, head, admin; any case).</summary>
    public static UserRole ParseRole(string? role) => role?.Trim().ToLowerInvariant() switch
    {
        "rep" => UserRole.Rep,
        "manager" => UserRole.Manager,
        "head" => UserRole.Head,
        "admin" => UserRole.Admin,
        _ => throw new SalesKpiException(Msg.Of("users.bad_role", "Role '{0}' is not known: use rep, manager, head or admin.", "Роль «{0}» неизвестна: используйте rep, manager, head или admin.", role)),
    };

    /// <summary>The stored name of a role.</summary>
    public static string RoleName(UserRole role) => role.ToString().ToLowerInvariant();

    private static DateTime Now(RequestContext ctx) => ctx.Clock.GetUtcNow().UtcDateTime;

    private static bool RepsSeeCompanyTotals(Workspace ws) => ws.ReadSettings(RepsSeeCompanyTotalsKey).ContainsKey(string.Empty);

    private static long ActiveAdmins(Workspace ws) =>
        Convert.ToInt64(ws.Scalar("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled"), CultureInfo.InvariantCulture);

    private static UserInfo? FindUser(Workspace ws, string name) =>
        ws.Query($"SELECT {Columns} FROM users WHERE name = {ws.Dialect.Parameter(1)}", Read, name ?? string.Empty).FirstOrDefault();

    private static UserInfo Existing(Workspace ws, string name) =>
        FindUser(ws, name) ?? throw new SalesKpiException(Msg.Of("users.unknown", "There is no user {0}: 'saleskpi users list' lists them.", "Пользователя {0} нет: список — «saleskpi users list».", name));

    private static UserInfo Read(System.Data.Common.DbDataReader r) => new(
        r.GetString(0),
        ParseRole(r.GetString(1)),
        r.IsDBNull(2) ? null : r.GetString(2),
        r.GetBoolean(3),
        r.IsDBNull(4) ? null : DateTime.SpecifyKind(r.GetDateTime(4), DateTimeKind.Utc),
        DateTime.SpecifyKind(r.GetDateTime(5), DateTimeKind.Utc),
        DateTime.SpecifyKind(r.GetDateTime(6), DateTimeKind.Utc));

    private static TokenInfo ReadToken(System.Data.Common.DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc),
        r.IsDBNull(3) ? null : DateTime.SpecifyKind(r.GetDateTime(3), DateTimeKind.Utc),
        r.IsDBNull(4) ? null : DateTime.SpecifyKind(r.GetDateTime(4), DateTimeKind.Utc));

    private static void CheckName(string name)
    {
        if (name is null || !NamePattern().IsMatch(name))
        {
            throw new SalesKpiException(Msg.Of("users.bad_name", "User name '{0}' is not allowed: use 1 to 64 letters, digits, '.', '_', '-' or '@'.", "Имя пользователя «{0}» недопустимо: используйте от 1 до 64 букв, цифр, «.», «_», «-» или «@».", name));
        }
    }

    private static void CheckPassword(string password)
    {
        if (password.Length < MinPasswordLength)
        {
            throw new SalesKpiException(Msg.Of("users.short_password", "The password is too short: give at least {0} characters.", "Пароль слишком короткий: нужно не меньше {0} символов.", MinPasswordLength));
        }
    }

    private static string? OwnerFor(UserRole role, string? crmOwner)
    {
        var owner = string.IsNullOrWhiteSpace(crmOwner) ? null : crmOwner;
        if (role == UserRole.Rep && owner is null)
        {
            throw new SalesKpiException(Msg.Of("users.rep_needs_owner", "A rep sees only the data of their CRM owner name: give it with --owner (e.g. --owner \"Ivan Petrov\").", "Менеджер по продажам видит только данные своего владельца в CRM: укажите его в --owner (например, --owner \"Иван Петров\")."));
        }

        return owner;
    }

    private static string NewPassword() => Base64Url(RandomNumberGenerator.GetBytes(15));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static SalesKpiException Failed() =>
        new(Msg.Of("auth.failed", "Wrong name or password.", "Неверное имя или пароль."));

    private static SalesKpiException Locked(DateTime untilUtc) =>
        new(Msg.Of(
            "auth.locked",
            "Sign-in is locked until {0} UTC after {1} failed attempts in a row: wait, or ask an admin to reset the password.",
            "Вход заблокирован до {0} UTC после {1} неудачных попыток подряд: подождите или попросите администратора сбросить пароль.",
            Minute(untilUtc), MaxFailedAttempts));

    // Msg takes text and numbers: an instant goes in as invariant text, rounded up so "until" is never early.
    private static string Minute(DateTime utc) =>
        new DateTime(utc.Ticks + TimeSpan.TicksPerMinute - 1 - ((utc.Ticks + TimeSpan.TicksPerMinute - 1) % TimeSpan.TicksPerMinute), DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static SalesKpiException TokenInvalid() =>
        new(Msg.Of("auth.token_invalid", "The API token is not valid (unknown, revoked or expired, or its user is disabled).", "API-токен недействителен (неизвестен, отозван или просрочен либо его пользователь отключён)."));

    [GeneratedRegex(@"^[\p{L}\p{N}._@-]{1,64}$")]
    private static partial Regex NamePattern();
}
