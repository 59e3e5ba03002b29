using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Archive.Api.OpenApi;
using Archive.Api.Security;
using Archive.Security;
using Archive.Api.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// Every Archive endpoint (enumerated from the EndpointDataSource, so a new one cannot escape) × every role and
/// an anonymous caller × own / other agency: the policy layer (401/403 vs. through) and the agency scope (other
/// agency's record files answer 404, changes in its fonds 403).
/// </summary>
public sealed partial class AuthorizationMatrixTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string?[] Callers = [.. ArchiveRoles.All, null];

    /// <summary>Endpoints whose other-agency request must be refused (403 scope or 404) for agency-bound roles.</summary>
    private static readonly HashSet<string> ScopedByOther =
    [
        "GetRecordFile", "UpdateRecordFile", "GetRecordFileHistory", "GetRecordFileVersion", "VerifyRecordFile", "AddDocument",
        "GetDocument", "UpdateDocument", "MarkNonArchival", "ClearNonArchival", "SetLegalHold", "UploadContent", "DownloadContent",
        "RemoveContent", "CreateRecordFile", "ImportRecordFile", "CreateFonds", "UpdateAgency", "CloseFonds", "SaveAgencyRetentionSchedule",
    ];

    /// <summary>Read endpoints of the agencies' internal work (reorganisation events, plans, custody): staff only, so researchers and anonymous readers get 403 scope.staff.</summary>
    private static readonly HashSet<string> StaffOnly =
    [
        "ListReorganisations", "GetReorganisation", "GetReorganisationHistory", "GetPlan", "GetPlanReport", "GetCustody",
    ];

    [Fact]
    public void Every_archive_endpoint_declares_exactly_one_archive_policy()
    {
        var endpoints = ArchiveEndpoints(factory.Services);
        Assert.True(endpoints.Count >= 39, $"only {endpoints.Count} endpoints found");
        var missing = new List<string>();
        foreach (var e in endpoints)
        {
            var policies = e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            if (policies.Count != 1 || !ArchivePolicyRoles.Policies.Contains(policies[0]))
            {
                missing.Add($"{e.DisplayName} [{string.Join(",", policies)}]");
            }

            Assert.Null(e.Metadata.GetMetadata<IAllowAnonymous>());
        }

        Assert.True(missing.Count == 0, "Endpoints without exactly one Archive policy: " + string.Join("; ", missing));
    }

    [Fact]
    public async Task Every_role_on_every_endpoint_for_own_and_other_agency()
    {
        var admin = factory.CreateClient();
        var own = await SeedWithFileAsync(admin, "Sở Tư pháp");
        var other = await SeedWithFileAsync(admin, "Sở Y tế");
        var failures = new List<string>();
        var cells = 0;

        foreach (var endpoint in ArchiveEndpoints(factory.Services))
        {
            var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? endpoint.DisplayName ?? "?";
            var policy = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Single().Policy!;
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Single();
            foreach (var role in Callers)
            {
                foreach (var (scope, target) in new[] { ("own", own), ("other", other) })
                {
                    using var client = role is null ? factory.CreateAnonymousClient() : factory.CreateClientFor(role, [own.AgencyId]);
                    using var request = BuildRequest(endpoint, name, method, target);
                    using var response = await client.SendAsync(request, Ct);
                    var status = (int)response.StatusCode;
                    var body = await response.Content.ReadAsStringAsync(Ct);
                    var staffRefusal = status == 403 && body.Contains("scope.staff", StringComparison.Ordinal);
                    var scopeRefusal = (status == 403 && body.Contains("scope.agency", StringComparison.Ordinal)) || staffRefusal;
                    var policyRefusal = status is 401 || (status == 403 && !scopeRefusal);
                    cells++;

                    var allowed = role is null
                        ? ArchivePolicyRoles.AllowsAnonymousReader(policy) // the standalone server opens the reading room
                        : ArchivePolicyRoles.RolesOf(policy).Contains(role);
                    string? expected = null;
                    if (!allowed)
                    {
                        expected = role is null ? (status == 401 ? null : "401") : (status == 403 && !scopeRefusal ? null : "403 (policy)");
                    }
                    else if (policyRefusal)
                    {
                        expected = "through the policy";
                    }
                    else if (StaffOnly.Contains(name) && role is ArchiveRoles.Researcher or null)
                    {
                        expected = staffRefusal ? null : "403 (scope.staff)";
                    }
                    else if (StaffOnly.Contains(name) && staffRefusal)
                    {
                        expected = "through the staff check";
                    }
                    else if (scope == "other" && ScopedByOther.Contains(name) && role is ArchiveRoles.Clerk or ArchiveRoles.Archivist or ArchiveRoles.AgencyHead or ArchiveRoles.Researcher or null)
                    {
                        expected = scopeRefusal || status == 404 ? null : "403 (scope) or 404";
                    }
                    else if (scope == "other" && method == "GET" && ScopedByOther.Contains(name) && role is ArchiveRoles.Supervisor or ArchiveRoles.HistoricalArchives or ArchiveRoles.Administrator)
                    {
                        expected = status is >= 200 and < 300 ? null : "2xx (reads across)";
                    }
                    else if (scope == "own" && method == "GET" && ScopedByOther.Contains(name) && role is ArchiveRoles.Researcher or null)
                    {
                        expected = status == 404 ? null : "404 (not accessioned)";
                    }
                    else if (scope == "own" && method == "GET" && ScopedByOther.Contains(name))
                    {
                        expected = status is >= 200 and < 300 ? null : "2xx (own agency)";
                    }

                    if (expected is not null)
                    {
                        failures.Add($"{name} ({policy}) as {role ?? "anonymous"} on {scope}: expected {expected}, got {status} {Truncate(body)}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cells} cells wrong:\n" + string.Join("\n", failures));
        Assert.True(cells >= 39 * 8 * 2, $"only {cells} cells");
    }

    internal static List<RouteEndpoint> ArchiveEndpoints(IServiceProvider services)
        => services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ArchiveEndpointMetadata>() is not null)
            .ToList();

    internal sealed record Target(string AgencyId, string FondsCode, string FileCode, int DocOrdinal);

    /// <summary>An agency, its fonds and a finished public record file with one document holding <c>a.txt</c>.</summary>
    internal static async Task<Target> SeedWithFileAsync(HttpClient admin, string name, string notation = "01.TCCB", string? rights = null)
    {
        var (agencyId, fondsCode) = await SeedAsync(admin, name);
        var fileCode = await CreateRecordFileAsync(admin, fondsCode, notation, rights: rights);
        var created = await admin.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { subject = "Về việc tuyển dụng viên chức" }), Ct).ExpectAsync(201);
        var ordinal = (int)created["documents"]!.AsArray()[0]!["docOrdinal"]!;
        await admin.PutAsync(ContentUrl(fileCode, ordinal, "a.txt"), Bytes("nội dung"u8.ToArray(), "text/plain"), Ct).ExpectAsync(200);
        return new Target(agencyId, fondsCode, fileCode, ordinal);
    }

    private static HttpRequestMessage BuildRequest(RouteEndpoint endpoint, string name, string method, Target t)
    {
        var url = ParameterPattern().Replace("/" + endpoint.RoutePattern.RawText!.TrimStart('/'), m => Uri.EscapeDataString(m.Groups[1].Value switch
        {
            "agencyId" or "agencyIdOrFondsCode" => t.AgencyId,
            "fondsCode" => t.FondsCode,
            "fileCode" => t.FileCode,
            "docOrdinal" => t.DocOrdinal.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "fileName" => "a.txt",
            "version" => "1",
            _ => "x",
        }));
        if (name == "Search")
        {
            url += "?q=tuyển";
        }

        var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Headers.TryAddWithoutValidation("If-Match", "\"v1\"");
        if (method is "POST" or "PUT")
        {
            request.Content = name switch
            {
                "CreateRecordFile" => Json(RecordFile(t.FondsCode, "77.MTX")),
                "ImportRecordFile" => ImportBody(new { file = RecordFile(t.FondsCode, "78.MTX"), documents = new[] { new { document = new { subject = "Về việc nhập" }, contents = new[] { new { part = "p1", fileName = "a.txt" } } } } }, ("p1", "x"u8.ToArray(), "text/plain")),
                "UpdateRecordFile" => Json(RecordFile(t.FondsCode)),
                "AddDocument" or "UpdateDocument" => Json(new { subject = "Về việc khác" }),
                "MarkNonArchival" => Json(new { kind = "Book", reason = "sách tham khảo" }),
                "ClearNonArchival" => Json(new { reason = "nhầm" }),
                "SetLegalHold" => Json(new { hold = false, reason = "kiểm tra" }),
                "CreateFonds" => Json(new { code = "P-M-" + t.AgencyId.Replace(".", string.Empty, StringComparison.Ordinal), name = "Phông", agencyId = t.AgencyId }),
                "UpdateAgency" => Json(new { name = "Tên mới" }),
                "CloseFonds" => Json(new { closedOn = "2020-01-01", reason = "thử" }),
                "UploadContent" => Bytes("x"u8.ToArray(), "text/plain"),
                "CreateAgency" => Json(new { id = NewAgencyId(), name = "Cơ quan mới" }),
                "CreateApiKey" => Json(new { name = "matrix", roles = new[] { "researcher" } }),
                _ => Json(new { }),
            };
        }

        return request;
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200];

    [GeneratedRegex(@"\{\*?(\w+)(:[^}]*)?\??\}")]
    private static partial Regex ParameterPattern();
}
