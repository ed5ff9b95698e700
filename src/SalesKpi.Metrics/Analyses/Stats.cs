using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Analyses;

/// <summary>The interval estimates of the specification.</summary>
public static class Stats
{
    private const double Z = 1.96;

    /// <summary>
    /// The 95 % Wilson score interval of <paramref name="successes"/> out of <paramref name="n"/>;
    /// null when <paramref name="n"/> is 0. Bounds lie in [0, 1].
    /// </summary>
    public static Interval? Wilson(long successes, long n)
    {
        if (n <= 0)
        {
            return null;
        }

        var p = (double)successes / n;
        var z2 = Z * Z;
        var denom = 1 + (z2 / n);
        var center = (p + (z2 / (2 * n))) / denom;
        var half = Z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4.0 * n * n))) / denom;
        return new Interval((decimal)Math.Max(0, center - half), (decimal)Math.Min(1, center + half));
    }

    /// <summary>
    /// The NPS interval: NPS ± 1.96·SE with SE = 100·√((p₊ + p₋ − (p₊ − p₋)²) / n), clamped to
    /// [−100, 100]; null when <paramref name="n"/> is 0.
    /// </summary>
    public static Interval? Nps(long promoters, long detractors, long n)
    {
        if (n <= 0)
        {
            return null;
        }

        var pp = (double)promoters / n;
        var pd = (double)detractors / n;
        var nps = 100 * (pp - pd);
        var se = 100 * Math.Sqrt(Math.Max(0, (pp + pd - ((pp - pd) * (pp - pd))) / n));
        return new Interval((decimal)Math.Max(-100, nps - (Z * se)), (decimal)Math.Min(100, nps + (Z * se)));
    }

    /// <summary>Two-sided p-value of the two-proportion z-test (pooled); null when a sample is empty or the pooled proportion is 0 or 1.</summary>
    public static double? TwoProportionP(long x1, long n1, long x2, long n2)
    {
        if (n1 <= 0 || n2 <= 0)
        {
            return null;
        }

        var pooled = (double)(x1 + x2) / (n1 + n2);
        var se = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / n1) + (1.0 / n2)));
        return se <= 0 ? null : 2 * (1 - NormalCdf(Math.Abs(((double)x2 / n2) - ((double)x1 / n1)) / se));
    }

    /// <summary>Two-sided p-value of Welch's t-test for two means with sample SDs; null when a sample has fewer than 2 units or no spread.</summary>
    public static double? WelchP(double mean1, double sd1, long n1, double mean2, double sd2, long n2)
    {
        if (n1 < 2 || n2 < 2)
        {
            return null;
        }

        var v1 = sd1 * sd1 / n1;
        var v2 = sd2 * sd2 / n2;
        if (v1 + v2 <= 0)
        {
            return null;
        }

        var t = Math.Abs(mean2 - mean1) / Math.Sqrt(v1 + v2);
        var df = ((v1 + v2) * (v1 + v2)) / ((v1 * v1 / (n1 - 1)) + (v2 * v2 / (n2 - 1)));
        return 2 * StudentTUpper(t, df);
    }

    /// <summary>Two-sided p-value of a difference with a known standard error (z-test); null when the SE is not positive.</summary>
    public static double? DifferenceP(double difference, double standardError) =>
        standardError > 0 ? 2 * (1 - NormalCdf(Math.Abs(difference) / standardError)) : null;

    /// <summary>Standard error of an NPS in points: 100·√((p₊ + p₋ − (p₊ − p₋)²) / n).</summary>
    public static double NpsStandardError(long promoters, long detractors, long n)
    {
        var pp = (double)promoters / n;
        var pd = (double)detractors / n;
        return 100 * Math.Sqrt(Math.Max(0, (pp + pd - ((pp - pd) * (pp - pd))) / n));
    }

    /// <summary>Two-sided p-value comparing two Poisson counts over exposures (e.g. leads over days).</summary>
    public static double? PoissonRateP(long x1, double t1, long x2, double t2) =>
        x1 + x2 == 0 ? null : DifferenceP((x2 / t2) - (x1 / t1), Math.Sqrt((x1 / (t1 * t1)) + (x2 / (t2 * t2))));

    /// <summary>The standard normal quantile for 0 &lt; <paramref name="p"/> &lt; 1 (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    public static double NormalQuantile(double p)
    {
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        if (p <= 0 || p >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "must be strictly between 0 and 1");
        }

        if (p < 0.02425 || p > 1 - 0.02425)
        {
            var q = Math.Sqrt(-2 * Math.Log(p < 0.5 ? p : 1 - p));
            var x = Horner(c, q) / ((Horner(d, q) * q) + 1);
            return p < 0.5 ? x : -x;
        }

        var r = p - 0.5;
        var s = r * r;
        return Horner(a, s) * r / ((Horner(b, s) * s) + 1);
    }

    private static double Horner(double[] coefficients, double x) => coefficients.Aggregate(0.0, (acc, k) => (acc * x) + k);

    /// <summary>The standard normal CDF (error below 1e-7, Zelen and Severo 26.2.17).</summary>
    public static double NormalCdf(double z)
    {
        if (z < 0)
        {
            return 1 - NormalCdf(-z);
        }

        var t = 1 / (1 + (0.2316419 * z));
        var poly = t * (0.319381530 + (t * (-0.356563782 + (t * (1.781477937 + (t * (-1.821255978 + (t * 1.330274429))))))));
        return 1 - (Math.Exp(-z * z / 2) / Math.Sqrt(2 * Math.PI) * poly);
    }

    /// <summary>P(T &gt; t) for Student's t with <paramref name="df"/> degrees of freedom, t ≥ 0.</summary>
    public static double StudentTUpper(double t, double df) => 0.5 * RegularizedBeta(df / (df + (t * t)), df / 2, 0.5);

    // Regularized incomplete beta I_x(a, b) by its continued fraction (Lentz), as in the standard numerical recipes.
    private static double RegularizedBeta(double x, double a, double b)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp((a * Math.Log(x)) + (b * Math.Log(1 - x)) - LogBeta(a, b));
        return x < (a + 1) / (a + b + 2)
            ? front * BetaFraction(x, a, b) / a
            : 1 - (front * BetaFraction(1 - x, b, a) / b);
    }

    private static double BetaFraction(double x, double a, double b)
    {
        const double Tiny = 1e-300;
        double c = 1, d = 1 - ((a + b) * x / (a + 1));
        d = 1 / (Math.Abs(d) < Tiny ? Tiny : d);
        var h = d;
        for (var m = 1; m <= 300; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 / (Math.Abs(1 + (aa * d)) < Tiny ? Tiny : 1 + (aa * d));
            c = Math.Abs(1 + (aa / c)) < Tiny ? Tiny : 1 + (aa / c);
            h *= d * c;
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 / (Math.Abs(1 + (aa * d)) < Tiny ? Tiny : 1 + (aa * d));
            c = Math.Abs(1 + (aa / c)) < Tiny ? Tiny : 1 + (aa / c);
            var step = d * c;
            h *= step;
            if (Math.Abs(step - 1) < 1e-12)
            {
                break;
            }
        }

        return h;
    }

    private static double LogBeta(double a, double b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    // Lanczos approximation (g = 7, n = 9), accurate to about 15 digits for positive arguments.
    private static double LogGamma(double x)
    {
        double[] c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = c[0];
        for (var i = 1; i < 9; i++)
        {
            sum += c[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }
}
