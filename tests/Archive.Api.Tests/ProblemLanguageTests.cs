using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Archive.Api;
using Archive.Api.Tests.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// Problem details speak the clerk's language (#22 item 9.1): <c>Accept-Language</c> picks Vietnamese or English, the
/// standalone server defaults to Vietnamese, a vendor host to English; rule ids, type, fields and status never change;
/// <c>Content-Language</c> and <c>Vary: Accept-Language</c> are sent. One catalogue (<c>ProblemCatalogue</c>) holds both
/// languages of every rule id the source can produce — a scan of <c>src/</c> fails when one is missing.
/// </summary>
public sealed partial class ProblemLanguageTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    private static readonly Type Catalogue = typeof(ArchiveApiOptions).Assembly.GetType("Archive.Api.Http.ProblemCatalogue", throwOnError: true)!;

    private static string? Template(string rule, string language)
        => (string?)Catalogue.GetMethod("Template", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [rule, language]);

    private HttpClient Client(string? language)
    {
        var client = factory.CreateClient();
        if (language is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        }

        return client;
    }

    private static async Task<(JsonNode Problem, HttpResponseMessage Response)> ProblemAsync(Task<HttpResponseMessage> call, int status)
    {
        var response = await call;
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (JsonNode.Parse(text)!, response);
    }

    private static void AssertLanguage(HttpResponseMessage response, string language)
    {
        Assert.Equal([language], response.Content.Headers.ContentLanguage);
        Assert.Contains("Accept-Language", response.Headers.Vary);
    }

    [Fact]
    public async Task Validation_problems_are_in_Vietnamese_or_English_by_Accept_Language_with_rules_and_fields_unchanged()
    {
        var (_, fondsCode) = await SeedAsync(factory.CreateClient());
        var body = new { fondsCode, fileCatalog = 2015, fileNotation = "01 TCCB", maintenance = "10y", title = " " };

        var (vi, viResponse) = await ProblemAsync(Client("vi-VN, en;q=0.5").PostAsync($"{P}/record-files", Json(body), Ct), 422);
        var (en, enResponse) = await ProblemAsync(Client("en-GB,vi;q=0.1").PostAsync($"{P}/record-files", Json(body), Ct), 422);
        AssertLanguage(viResponse, "vi");
        AssertLanguage(enResponse, "en");
        Assert.Equal((string?)en["type"], (string?)vi["type"]);
        Assert.Equal((int)en["status"]!, (int)vi["status"]!);
        var viErrors = vi["errors"]!.AsArray();
        var enErrors = en["errors"]!.AsArray();
        Assert.Equal(enErrors.Select(e => ((string?)e!["field"], (string?)e["rule"])), viErrors.Select(e => ((string?)e!["field"], (string?)e["rule"])));

        Assert.Equal("Dữ liệu không hợp lệ", (string?)vi["title"]);
        Assert.Equal("The request breaks validation rules", (string?)en["title"]);
        var required = viErrors.Single(e => (string?)e!["rule"] == "required" && (string?)e["field"] == "title")!;
        Assert.Equal("Trường bắt buộc: title chưa được nhập.", (string?)required["message"]);
        Assert.Equal("title is required.", (string?)enErrors.Single(e => (string?)e!["rule"] == "required")!["message"]);
        Assert.Contains("Số và ký hiệu hồ sơ", (string?)viErrors.Single(e => (string?)e!["rule"] == "file-notation.format")!["message"], StringComparison.Ordinal);
        Assert.Contains("title: Trường bắt buộc", (string?)vi["detail"], StringComparison.Ordinal);
        Assert.DoesNotContain("required", (string?)vi["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_answers_in_Vietnamese_without_Accept_Language_and_keeps_the_specifics()
    {
        var (problem, response) = await ProblemAsync(Client(null).GetAsync(FileUrl("000.00.00.G09.2015.99.KHONG"), Ct), 404);
        AssertLanguage(response, "vi");
        Assert.Equal("Không tìm thấy", (string?)problem["title"]);
        Assert.Equal("Không tìm thấy hồ sơ '000.00.00.G09.2015.99.KHONG'.", (string?)problem["detail"]);
        Assert.Equal(("record-file", "not-found"), ((string?)problem["errors"]![0]!["field"], (string?)problem["errors"]![0]!["rule"]));

        // A language the catalogue does not speak falls back to the host's default.
        var (fr, frResponse) = await ProblemAsync(Client("fr-FR").GetAsync(FileUrl("000.00.00.G09.2015.99.KHONG"), Ct), 404);
        AssertLanguage(frResponse, "vi");
        Assert.Equal((string?)problem["detail"], (string?)fr["detail"]);

        // A value the framework could not bind: the value itself and what was expected stay in the message.
        var (binding, _) = await ProblemAsync(Client("vi").GetAsync($"{P}/record-files?pageSize=abc", Ct), 400);
        var error = binding["errors"]!.AsArray().Single()!;
        Assert.Equal(("pageSize", "parameter.format"), ((string?)error["field"], (string?)error["rule"]));
        Assert.Equal("Giá trị 'abc' của tham số pageSize không hợp lệ: cần một số nguyên.", (string?)error["message"]);
    }

    [Fact]
    public async Task Framework_answers_are_localized_too()
    {
        var anonymous = factory.CreateAnonymousClient();
        anonymous.DefaultRequestHeaders.AcceptLanguage.ParseAdd("vi");
        var (problem, response) = await ProblemAsync(anonymous.PostAsync($"{P}/agencies", Json(new { id = "000.00.00.H01", name = "x" }), Ct), 401);
        AssertLanguage(response, "vi");
        Assert.Equal("urn:archive:problem:authentication", (string?)problem["type"]);
        Assert.Equal("Chưa xác thực", (string?)problem["title"]);
        Assert.StartsWith("Cần xác thực", (string?)problem["errors"]![0]!["message"], StringComparison.Ordinal);
        Assert.NotEmpty(response.Headers.WwwAuthenticate);

        var (route, routeResponse) = await ProblemAsync(Client("en").GetAsync($"{P}/no-such-thing", Ct), 404);
        AssertLanguage(routeResponse, "en");
        Assert.Equal("Nothing is served at this address.", (string?)route["detail"]);
    }

    [Fact]
    public void A_vendor_host_defaults_to_English_and_only_vi_or_en_is_accepted()
    {
        var options = new ArchiveApiOptions();
        Assert.Equal("en", options.DefaultProblemLanguage);
        Assert.Empty(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
        options.DefaultProblemLanguage = "fr";
        Assert.Contains(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)), r => r.ErrorMessage!.Contains("DefaultProblemLanguage", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_rule_id_the_source_can_produce_has_a_Vietnamese_and_an_English_message()
    {
        var rules = RuleScanner.Scan(RuleScanner.SourceRoot());
        Assert.True(rules.Count > 200, $"The scan found only {rules.Count} rule ids; the scanner is broken.");
        var missing = rules.Where(r => string.IsNullOrWhiteSpace(Template(r.Key, "vi")) || string.IsNullOrWhiteSpace(Template(r.Key, "en")))
            .Select(r => $"{r.Key} ({string.Join(", ", r.Value)})").ToList();
        Assert.True(missing.Count == 0, "Rule ids without a Vietnamese and an English message in ProblemCatalogue.Messages.cs:\n" + string.Join("\n", missing));

        // Vietnamese is written with its diacritics, not as ASCII.
        var ascii = rules.Keys.Where(r => Template(r, "vi") is { } vi && !Diacritic().IsMatch(vi)).ToList();
        Assert.True(ascii.Count == 0, "Vietnamese messages without diacritics: " + string.Join(", ", ascii));
    }

    [Fact]
    public void The_scanner_finds_rule_ids_in_every_form_the_code_writes_them()
    {
        var rules = RuleScanner.Scan(RuleScanner.SourceRoot());
        // A literal in ValidationError, a constant of ConflictRules, an ApiRequestException, a framework tuple, JsonBody,
        // ObjectKey's Fail and the file-name.* twin of a key.* rule.
        foreach (var rule in new[] { "code-number.zero-pad", "fonds.closed", "if-match.required", "authentication.required", "json.syntax", "key.dot-segment", "file-name.dot-segment", "scope.agency" })
        {
            Assert.True(rules.ContainsKey(rule), rule);
        }
    }

    [GeneratedRegex("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", RegexOptions.IgnoreCase)]
    private static partial Regex Diacritic();
}

/// <summary>
/// Finds the rule ids in the source: the rule argument of <c>ValidationError</c>, <c>RecordWarning</c>, target-typed
/// <c>new(field, rule, message)</c>, <c>ArchiveValidationException</c>, <c>ArchiveAccessDeniedException</c>,
/// <c>ArchiveConflictException</c>, <c>ApiRequestException</c> (and <c>.BadRequest</c>), <c>Fail(field, rule, …)</c>;
/// <c>Rule = "…"</c>; the constants of every <c>*Rules</c> class; the framework's rule tuples; JsonBody's <c>json.*</c>;
/// and for every <c>key.*</c> the <c>file-name.*</c> that content names are reported as.
/// </summary>
internal static partial class RuleScanner
{
    private static readonly (Regex Call, int Index)[] Calls =
    [
        (new(@"\bnew(?:\s+(?:ValidationError|RecordWarning|ArchiveValidationException|ArchiveAccessDeniedException|FieldError))?\s*\(", RegexOptions.Compiled), 1),
        (new(@"\bFail\(", RegexOptions.Compiled), 1),
        (new(@"\bArchiveConflictException\(", RegexOptions.Compiled), 2),
        (new(@"\bnew ApiRequestException\(", RegexOptions.Compiled), 2),
        (new(@"\.BadRequest\(", RegexOptions.Compiled), 1),
    ];

    public static string SourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Archive.sln")))
            {
                return Path.Combine(dir.FullName, "src");
            }
        }

        throw new InvalidOperationException("Archive.sln not found above " + AppContext.BaseDirectory);
    }

    public static Dictionary<string, SortedSet<string>> Scan(string root)
    {
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}Archive.Testing{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Name: Path.GetFileName(f), Text: File.ReadAllText(f)))
            .ToList();
        var constants = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, text) in files)
        {
            foreach (Match c in RulesClass().Matches(text))
            {
                foreach (Match k in Constant().Matches(c.Value))
                {
                    constants[c.Groups[1].Value + "." + k.Groups[1].Value] = k.Groups[2].Value;
                }
            }
        }

        var rules = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        void Add(string rule, string file)
        {
            if (!rules.TryGetValue(rule, out var where))
            {
                rules[rule] = where = new SortedSet<string>(StringComparer.Ordinal);
            }

            where.Add(file);
        }

        foreach (var (name, text) in files)
        {
            foreach (var (call, index) in Calls)
            {
                foreach (Match m in call.Matches(text))
                {
                    var args = Arguments(text, m.Index + m.Length);
                    if (args.Count <= index + 1 || !MessageLike().IsMatch(args[index + 1]))
                    {
                        continue;
                    }

                    if (RuleLiteral().Match(args[index]) is { Success: true } literal)
                    {
                        Add(literal.Groups[1].Value, name);
                    }
                    else if (constants.TryGetValue(args[index], out var value))
                    {
                        Add(value, name);
                    }
                }
            }

            foreach (Match m in RuleInitializer().Matches(text))
            {
                Add(m.Groups[1].Value, name);
            }

            foreach (Match m in FrameworkTuple().Matches(text))
            {
                Add(m.Groups[1].Value, name);
            }

            if (name == "JsonBody.cs")
            {
                foreach (Match m in JsonRule().Matches(text))
                {
                    Add(m.Groups[1].Value, name);
                }
            }
        }

        foreach (var value in constants.Values)
        {
            Add(value, "constant");
        }

        foreach (var key in rules.Keys.Where(k => k.StartsWith("key.", StringComparison.Ordinal)).ToList())
        {
            Add("file-name." + key["key.".Length..], "RecordFileService.Content.cs (key.* as file-name.*)");
        }

        return rules;
    }

    /// <summary>The top-level arguments of the call whose '(' ends at <paramref name="start"/>.</summary>
    private static List<string> Arguments(string s, int start)
    {
        var args = new List<string>();
        var current = new System.Text.StringBuilder();
        var depth = 0;
        var inString = false;
        for (var i = start; i < s.Length; i++)
        {
            var c = s[i];
            if (inString)
            {
                current.Append(c);
                if (c == '\\' && i + 1 < s.Length)
                {
                    current.Append(s[++i]);
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    current.Append(c);
                    break;
                case '(' or '[' or '{':
                    depth++;
                    current.Append(c);
                    break;
                case ')' or ']' or '}' when depth == 0:
                    args.Add(current.ToString().Trim());
                    return args;
                case ')' or ']' or '}':
                    depth--;
                    current.Append(c);
                    break;
                case ',' when depth == 0:
                    args.Add(current.ToString().Trim());
                    current.Clear();
                    break;
                default:
                    current.Append(c);
                    break;
            }
        }

        return args;
    }

    [GeneratedRegex(@"^""([a-z][a-z0-9]*(?:-[a-z0-9]+)*(?:\.[a-zA-Z0-9-]+)*)""$")]
    private static partial Regex RuleLiteral();

    [GeneratedRegex(@"^(\$@?""|@?""|string\.Create|[A-Za-z_][\w.]*(\s*\+.*)?$|\(|[a-z]\w*\s*\?)", RegexOptions.Singleline)]
    private static partial Regex MessageLike();

    [GeneratedRegex(@"public static class (\w*Rules)\b.*?\n}", RegexOptions.Singleline)]
    private static partial Regex RulesClass();

    [GeneratedRegex(@"const string (\w+) = ""([^""]*)""")]
    private static partial Regex Constant();

    [GeneratedRegex(@"\bRule = ""([^""]+)""")]
    private static partial Regex RuleInitializer();

    [GeneratedRegex(@"\(\s*""[a-z.-]+"",\s*""[^""]*"",\s*""[^""]*"",\s*""([a-z][a-z.-]+)""")]
    private static partial Regex FrameworkTuple();

    [GeneratedRegex(@"""(json\.[a-z-]+)""")]
    private static partial Regex JsonRule();
}
