using System.Globalization;

namespace SalesKpi.Storage;

/// <summary>
/// Password sign-in attempts counted in the workspace (schema 8, table <c>sign_in_windows</c>): one row per client
/// and fixed window, which every server process of a shared workspace adds to, so the sign-in limit holds for the
/// whole group of processes and not for each alone.
/// </summary>
public static class SignInWindows
{
    /// <summary>
    /// Counts one attempt of <paramref name="client"/> in the window starting at <paramref name="windowStartUtc"/> and
    /// returns the attempts counted in that window so far, this one included. Two processes counting at the same
    /// moment get two different numbers: the count is raised by one statement on the stored row, which the database
    /// runs for one of them after the other. The first attempt of a window removes the rows of earlier windows.
    /// </summary>
    public static long Count(Workspace ws, string client, DateTime windowStartUtc)
    {
        ArgumentNullException.ThrowIfNull(ws);
        ArgumentNullException.ThrowIfNull(client);
        var d = ws.Dialect;
        ws.Execute(
            $"INSERT INTO sign_in_windows (client, window_start, attempts) VALUES ({d.Parameter(1)}, {d.Parameter(2)}, 0) ON CONFLICT DO NOTHING",
            client,
            windowStartUtc);
        var attempts = Convert.ToInt64(
            ws.Scalar(
                $"UPDATE sign_in_windows SET attempts = attempts + 1 WHERE client = {d.Parameter(1)} AND window_start = {d.Parameter(2)} RETURNING attempts",
                client,
                windowStartUtc),
            CultureInfo.InvariantCulture);
        if (attempts == 1)
        {
            ws.Execute($"DELETE FROM sign_in_windows WHERE window_start < {d.Parameter(1)}", windowStartUtc);
        }

        return attempts;
    }
}
