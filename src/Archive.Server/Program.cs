using System.Text.Json;
using Archive.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

// The standalone Archive server: the same calls an e-office host makes (AddArchive, AddArchiveApi, MapArchive),
// on the embedded defaults (a local data folder and an in-process Lucene index). No authentication yet (issue 8):
// bind it to loopback or put it behind an authenticating proxy.
var builder = WebApplication.CreateBuilder(args);
var configuration = builder.Configuration;

// Logging: simple console with scopes (default) or one JSON object per line (Logging:Console:FormatterName=json
// or Archive:LogFormat=json).
builder.Logging.ClearProviders();
if (string.Equals(configuration["Archive:LogFormat"], "json", StringComparison.OrdinalIgnoreCase))
{
    builder.Logging.AddJsonConsole(o =>
    {
        o.IncludeScopes = true;
        o.UseUtcTimestamp = true;
        o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
    });
}
else
{
    builder.Logging.AddSimpleConsole(o =>
    {
        o.IncludeScopes = true;
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss ";
    });
}

// Engine: Archive:* binds ArchiveOptions (DataPath, MaxUploadBytes, YearsIntoAgencyArchive, YearsToTransfer, TempPath,
// ReindexBatchSize, ExtractText). A relative DataPath is taken from the current directory.
builder.Services.AddArchive(_ => { });
builder.Services.AddOptions<ArchiveOptions>()
    .Bind(configuration.GetSection("Archive"))
    .PostConfigure(o => o.DataPath = ServerDefaults.ResolveDataPath(o.DataPath));

// REST facade: Archive:Api:* binds ArchiveApiOptions (AnonymousUserName, MaxListPageSize, OpenApiDocumentName).
builder.Services.AddArchiveApi(o => configuration.GetSection("Archive:Api").Bind(o));

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapOpenApi();
app.UseSwaggerUI(o =>
{
    o.SwaggerEndpoint("/openapi/archive.json", "Archive API");
    o.RoutePrefix = "swagger";
    o.DocumentTitle = "Archive API";
});

app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = ServerDefaults.WriteHealthAsync });
app.MapGet("/", () => Results.Redirect("/swagger")).ExcludeFromDescription();

var prefix = configuration["Archive:RoutePrefix"] ?? ServerDefaults.RoutePrefix;
app.MapGroup(prefix).MapArchive();

await app.RunAsync().ConfigureAwait(false);

/// <summary>The standalone host's entry point (public for WebApplicationFactory in tests).</summary>
public partial class Program
{
}

/// <summary>Defaults of the standalone host.</summary>
internal static class ServerDefaults
{
    /// <summary>Where the Archive endpoints are mapped unless <c>Archive:RoutePrefix</c> says otherwise.</summary>
    public const string RoutePrefix = "/api";

    /// <summary>
    /// <c>Archive:DataPath</c> made absolute (relative to the current directory); when not configured, the user's
    /// local application data folder (<c>~/.local/share/archive</c> on Linux, <c>%LOCALAPPDATA%\archive</c> on
    /// Windows), else <c>./data</c>.
    /// </summary>
    public static string ResolveDataPath(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return string.IsNullOrEmpty(local) ? Path.GetFullPath("data") : Path.Combine(local, "archive");
    }

    /// <summary>Writes the health report as JSON: overall status and each check's status and description.</summary>
    public static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            totalDurationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, durationMs = e.Value.Duration.TotalMilliseconds }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }
}
