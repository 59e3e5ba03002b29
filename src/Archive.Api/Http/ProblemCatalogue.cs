using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Archive.Api.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Archive.Api.Http;

/// <summary>
/// The one message catalogue of the REST facade: every problem the API writes — engine exceptions mapped by
/// <see cref="ArchiveProblems"/>, binding problems, the framework's own answers — is put in the request's language
/// (<c>Accept-Language</c>: <c>vi</c> or <c>en</c>, else <see cref="ArchiveApiOptions.DefaultProblemLanguage"/>) here,
/// keyed by rule id (messages) and problem type (titles). Rule ids, <c>type</c>, fields and status never change; only
/// <c>title</c>, <c>detail</c> and <c>errors[].message</c> do. The response says <c>Content-Language</c> and
/// <c>Vary: Accept-Language</c>. English keeps the engine's own message (it carries the specifics); Vietnamese renders
/// the rule's template with the arguments the exception carries and appends the quoted specifics of the engine's
/// message the template does not hold.
/// </summary>
internal static partial class ProblemCatalogue
{
    /// <summary>Vietnamese.</summary>
    public const string Vietnamese = "vi";

    /// <summary>English.</summary>
    public const string English = "en";

    private static readonly ConditionalWeakTable<ProblemDetails, string> Done = new();

    /// <summary>Rules whose engine message carries specifics in prose (a setting, a parser's position): appended whole.</summary>
    private static readonly HashSet<string> KeepEngineMessage = new(StringComparer.Ordinal)
    {
        "search.unavailable", "job.running", "csv.format", "schedule.json", "multipart.malformed", "ocr.options",
        "audit.certificate-unreadable", "receipt.state", "options.shared-needs-atomic-create", "hosts.shared-needs-atomic-create",
        "json.required", "json.syntax",
    };

    /// <summary>Every rule id the catalogue has messages for.</summary>
    public static IReadOnlyCollection<string> RuleIds => RuleMessages.Keys;

    /// <summary>The message of a rule in a language (template, unrendered), or null.</summary>
    public static string? Template(string rule, string language)
        => RuleMessages.TryGetValue(rule, out var m) ? (language == Vietnamese ? m.Vi : m.En) : null;

    /// <summary>Whether a language is one the catalogue speaks.</summary>
    public static bool IsSupported(string? language) => language is Vietnamese or English;

    /// <summary>The language of this request's problems: the best of <c>vi</c>/<c>en</c> in Accept-Language, else the default.</summary>
    public static string LanguageOf(HttpContext http)
    {
        var fallback = http.RequestServices?.GetService<IOptionsMonitor<ArchiveApiOptions>>()?.CurrentValue.DefaultProblemLanguage;
        fallback = IsSupported(fallback) ? fallback! : English;
        IList<StringWithQualityHeaderValue> accepted;
        try
        {
            accepted = http.Request.GetTypedHeaders().AcceptLanguage;
        }
        catch (FormatException)
        {
            return fallback;
        }

        foreach (var tag in accepted.Where(a => a.Quality is not 0).OrderByDescending(a => a.Quality ?? 1))
        {
            var value = tag.Value.Value ?? string.Empty;
            var primary = value.Split('-')[0].ToLowerInvariant();
            if (IsSupported(primary))
            {
                return primary;
            }

            if (value == "*")
            {
                return fallback;
            }
        }

        return fallback;
    }

    /// <summary>Puts an archive problem in the request's language (once; later calls leave it alone) and sets the headers.</summary>
    public static void Localize(ProblemDetails problem, HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(http);
        if (problem.Type?.StartsWith(ArchiveProblems.TypePrefix, StringComparison.Ordinal) != true || Done.TryGetValue(problem, out _))
        {
            return;
        }

        var language = LanguageOf(http);
        Done.AddOrUpdate(problem, language);
        if (!http.Response.HasStarted)
        {
            http.Response.Headers.ContentLanguage = language;
            var vary = http.Response.Headers.Vary.ToString();
            if (!vary.Contains(HeaderNames.AcceptLanguage, StringComparison.OrdinalIgnoreCase))
            {
                http.Response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptLanguage);
            }
        }

        if (language == English)
        {
            return;
        }

        var family = problem.Type[ArchiveProblems.TypePrefix.Length..];
        if ((problem.Status is { } s && Titles.TryGetValue(family + "/" + s.ToString(CultureInfo.InvariantCulture), out var title)) || Titles.TryGetValue(family, out title))
        {
            problem.Title = title.Vi;
        }

        if (problem.Extensions.TryGetValue("errors", out var value) && value is IEnumerable<FieldError> errors)
        {
            var localized = errors.Select(e => e with { Message = Render(e, Vietnamese) }).ToList();
            problem.Extensions["errors"] = localized;
            problem.Detail = localized.Count switch
            {
                0 => RuleMessages.TryGetValue(family, out var m) ? m.Vi : problem.Detail,
                1 => localized[0].Message,
                _ => string.Join("; ", localized.Select(e => $"{e.Field}: {e.Message}")),
            };
        }
    }

    /// <summary>Renders one error's message in a language; a rule the catalogue does not know keeps its message.</summary>
    public static string Render(FieldError error, string language)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (!RuleMessages.TryGetValue(error.Rule, out var entry))
        {
            return error.Message;
        }

        if (language != Vietnamese && !string.IsNullOrWhiteSpace(error.Message))
        {
            return error.Message;
        }

        var args = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var m in NumberArguments().Matches(error.Message ?? string.Empty).Cast<Match>())
        {
            foreach (var g in m.Groups.Cast<Group>().Where(g => g.Success && !int.TryParse(g.Name, out _)))
            {
                args.TryAdd(g.Name, g.Value);
            }
        }

        if (AllowedValues().Match(error.Message ?? string.Empty) is { Success: true } allowedMatch)
        {
            args.TryAdd("allowed", allowedMatch.Groups["allowed"].Value);
        }

        if (error.Arguments is { } carried)
        {
            foreach (var (k, v) in carried)
            {
                args[k] = v;
            }
        }

        args.TryAdd("field", error.Field);
        args.TryAdd("entity", error.Field);
        if (language == Vietnamese && args["entity"] is { } entity && EntitiesVi.TryGetValue(entity, out var entityVi))
        {
            args["entity"] = entityVi;
        }

        if (language == Vietnamese && args.TryGetValue("expected", out var expected) && expected is not null)
        {
            args["expected"] = ExpectedVi.TryGetValue(expected, out var e) ? e
                : expected.StartsWith("one of ", StringComparison.Ordinal) ? "một trong " + expected["one of ".Length..] : expected;
        }

        var template = language == Vietnamese ? entry.Vi : entry.En;
        var text = Optional().Replace(template, m => Placeholder().Matches(m.Groups[1].Value).All(p => args.GetValueOrDefault(p.Groups[1].Value) is { Length: > 0 }) ? m.Groups[1].Value : string.Empty);
        text = Placeholder().Replace(text, m => args.GetValueOrDefault(m.Groups[1].Value) is { Length: > 0 } v ? v : "…");
        if (language == Vietnamese && !string.IsNullOrEmpty(error.Message) && KeepEngineMessage.Contains(error.Rule))
        {
            return text + " — " + error.Message;
        }

        if (language == Vietnamese && !string.IsNullOrEmpty(error.Message))
        {
            // Specifics of the engine's message the template does not hold (the value, the expected code...): keep them.
            var specifics = Quoted().Matches(error.Message).Select(m => m.Value).Distinct(StringComparer.Ordinal)
                .Where(q => !text.Contains(q[1..^1], StringComparison.Ordinal)).ToList();
            if (specifics.Count > 0)
            {
                text = text.TrimEnd('.') + " (" + string.Join(", ", specifics) + ").";
            }
        }

        return text;
    }

    [GeneratedRegex(@"one of (?<allowed>[\w\-]+(?:, [\w\-]+)+)", RegexOptions.CultureInvariant)]
    private static partial Regex AllowedValues();

    [GeneratedRegex(@"\[([^\[\]]*)\]", RegexOptions.CultureInvariant)]
    private static partial Regex Optional();

    [GeneratedRegex(@"\{(\w+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"'[^'\r\n]{1,200}'", RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();

    [GeneratedRegex(@"at most (?<max>\d+)|between (?<min>\d+) and (?<max>\d+)|limit of (?<limit>\d+)|at least (?<min>\d+)|At most (?<max>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex NumberArguments();
}
