namespace SalesKpi.Core;

/// <summary>
/// Settings fixed when a workspace is created and read by every later command.
/// </summary>
/// <param name="TimeZone">IANA time zone in which local timestamps are read and periods are cut (default <c>UTC</c>).</param>
/// <param name="Currency">ISO 4217 code of the workspace currency (default <c>RUB</c>); deals without a currency use it.</param>
public sealed record WorkspaceSettings(string TimeZone, string Currency)
{
    /// <summary>The defaults of a new workspace: UTC and RUB.</summary>
    public static WorkspaceSettings Default { get; } = new("UTC", "RUB");

    /// <summary>The resolved time zone; throws <see cref="SalesKpiException"/> for an unknown id.</summary>
    public TimeZoneInfo Zone => ResolveZone(TimeZone);

    /// <summary>
    /// Resolves an IANA time-zone id (<c>Europe/Moscow</c>); throws <see cref="SalesKpiException"/>
    /// with a message naming the bad id when the system does not know it.
    /// </summary>
    public static TimeZoneInfo ResolveZone(string id)
    {
        if (string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase))
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new SalesKpiException(Msg.Of(
                "settings.unknown_time_zone",
                "Unknown time zone '{0}': give an IANA zone such as Europe/Moscow or UTC.",
                "Неизвестный часовой пояс «{0}»: укажите зону IANA, например Europe/Moscow или UTC.",
                id), ex);
        }
    }

    /// <summary>
    /// Validates an ISO 4217 code: three ASCII letters, returned upper-case; throws
    /// <see cref="SalesKpiException"/> otherwise.
    /// </summary>
    public static string NormalizeCurrency(string code)
    {
        var c = code.Trim();
        if (c.Length != 3 || !c.All(char.IsAsciiLetter))
        {
            throw new SalesKpiException(Msg.Of(
                "settings.unknown_currency",
                "Unknown currency '{0}': give a three-letter ISO 4217 code such as RUB, USD or EUR.",
                "Неизвестная валюта «{0}»: укажите трёхбуквенный код ISO 4217, например RUB, USD или EUR.",
                code));
        }

        return c.ToUpperInvariant();
    }
}
