using System.Text.Json;
using Archive.Api.Security;
using Archive.Hosting;
using Archive.TextExtraction.Office;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

// The standalone Archive server: the same calls an e-office host makes (AddArchive, AddArchiveApi,
// AddArchiveAuthentication, UseArchiveSecurity, MapArchive), on the embedded defaults (a local data folder and an
// in-process Lucene index). Authentication is on: API keys (X-Api-Key) and JWT bearer tokens (Archive:Auth:*);
// anonymous callers get the reading room (accessioned, public records) unless Archive:Api:AnonymousReadingRoom=false.
// `archive-server apikey create --name ops --roles administrator` creates a key in the data folder (see docs/security.md).
// `archive-server handover|transfer|accession ...` exchange packages offline on a storage device (`archive-server help`,
// docs/operations.md): the verbs use the data folder's engine without starting the HTTP server.
var command = ApiKeyCommand.Parse(args, out var hostArgs);
var exchange = command is null ? ExchangeCommand.Parse(args, out hostArgs) : null;
if (exchange is { NeedsEngine: false })
{
    return exchange.RunWithoutEngine(Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(hostArgs);
var configuration = builder.Configuration;

// Files the server writes are private to its user (PrivateFiles.cs): the umask is Archive:Umask, 077 by default.
int? umask;
try
{
    umask = PrivateFiles.ApplyUmask(configuration["Archive:Umask"]);
}
catch (FormatException e)
{
    return ServerDefaults.Refuse([e.Message]);
}

// Providers by configuration (ServerProviders.cs): Archive:Storage:Provider = FileSystem | S3 (Archive:Storage:S3:*),
// Archive:Search:Provider = Lucene | Elasticsearch | None (Archive:Search:Elasticsearch:*), Archive:Hosts:Shared.
// An unknown name or a combination that cannot work stops here, before anything is built or written.
ServerProviders providers;
try
{
    providers = ServerProviders.FromConfiguration(configuration);
}
catch (ServerConfigurationException e)
{
    return ServerDefaults.Refuse(e.Errors);
}

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

if (exchange is not null)
{
    // The offline verbs print their report on stdout and progress on stderr: the log goes to stderr, warnings and errors only.
    builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
}

// Engine on the chosen providers, the embedded defaults where none was chosen (Archive.Embedded: a folder store in
// DataPath/store, Lucene.NET in DataPath/index, the OpenXml documents always). Archive:* binds ArchiveOptions (DataPath, MaxUploadBytes, YearsIntoAgencyArchive, YearsToTransfer, TempPath,
// ReindexBatchSize, ExtractText, MaxExtractedTextChars). A relative DataPath is taken from the current directory.
// Reorganisation (events, plans, handover), transfer to the Historical Archives and accession, and the package
// exchange running them as jobs: Archive:Exchange:* binds ExchangeOptions (WorkPath, ImportRoots, MaxPackageBytes,
// Seal:CertificatePath/CertificatePassword or Seal:StoreThumbprint, Seal:TrustedCertificates, Seal:RequireSeal).
providers.Register(builder.Services.AddArchive(_ => { }), configuration).AddEmbeddedDefaults().AddReorganisation().AddTransfer()
    .AddPackageExchange(o => configuration.GetSection("Archive:Exchange").Bind(o));
builder.Services.AddOptions<ArchiveOptions>()
    .Bind(configuration.GetSection("Archive"))
    .PostConfigure(o => o.DataPath = ServerDefaults.ResolveDataPath(o.DataPath));

// Text of DOCX, XLSX, ODT, ODS, HTML and plain-text uploads (registered by the embedded defaults above, also with S3 or
// Elasticsearch): Archive:TextExtraction:* binds OfficeTextExtractionOptions (MaxZipEntries, MaxUncompressedBytes,
// MaxCompressionRatio, LegacyCodePage, SectionCharacters, MaxHtmlBytes); Archive:MaxExtractedTextChars caps the text kept.
builder.Services.Configure<OfficeTextExtractionOptions>(configuration.GetSection("Archive:TextExtraction"));

// Backups started over REST (POST /backups) are written under Archive:Backup:Path (BackupOptions); none when unset.
builder.Services.Configure<Archive.Backup.BackupOptions>(configuration.GetSection("Archive:Backup"));

// Change feed and webhooks: Archive:Webhooks:* binds WebhookOptions (DeliveryEnabled, AllowPrivateNetworks, AllowedHosts,
// MaxConsecutiveFailures, InitialBackoff, MaxBackoff, Timeout, PollInterval, MaxLogEntries).
builder.Services.Configure<Archive.Integrations.WebhookOptions>(configuration.GetSection("Archive:Webhooks"));
// Researchers' access requests for conditional records: Archive:AccessRequests:* binds AccessRequestOptions
// (DefaultValidDays, MaxValidDays, MaxTextLength), validated at start-up.
builder.Services.Configure<Archive.Access.AccessRequestOptions>(configuration.GetSection("Archive:AccessRequests"));
// Bulk migration from e-office exports (POST /migrations, `migrate run`): Archive:Migration:* binds MigrationOptions
// (ImportRoot, BatchSize, MaxParallelism, MaxUploadBytes, MaxEntries).
builder.Services.Configure<Archive.Migration.MigrationOptions>(configuration.GetSection("Archive:Migration"));

// OCR of scanned content (images, PDFs without a text layer) in the background with Tesseract: Archive:Ocr:* binds
// TesseractOcrOptions (TesseractPath, PdfToPpmPath, Languages, ProcessTimeout, MaxPages, MaxConcurrency). Missing tools
// never stop the server: contents get the status OcrUnavailable and GET /api/jobs/ocr says what to install.
builder.Services.AddTesseractOcr(o => configuration.GetSection("Archive:Ocr").Bind(o));

// REST facade: Archive:Api:* binds ArchiveApiOptions (AnonymousReadingRoom, RequestsPerMinute, MaxJsonBodyBytes,
// MaxListPageSize, OpenApiDocumentName...). The standalone server opens the reading room to anonymous readers by default.
builder.Services.AddArchiveApi(o =>
{
    o.AnonymousReadingRoom = true;
    o.DefaultProblemLanguage = "vi"; // clerks read the server's problems in Vietnamese unless Accept-Language asks for English
    configuration.GetSection("Archive:Api").Bind(o);
});

// Authentication: Archive:Auth:* (Jwt:Authority or Jwt:Issuer + Jwt:SigningKeys, Jwt:Audience; ApiKeys:N:Name/KeyHash/
// Roles/Agencies/Clearance). Secrets come only from configuration (environment variables, user secrets, files).
builder.Services.AddArchiveAuthentication(configuration);

var app = builder.Build();

// A data folder made by an earlier version (e.g. 0755) is narrowed to what the umask allows, and so is its tmp folder
// (a configured TempPath elsewhere may be shared, e.g. /tmp, and is left alone: what the server writes there is private).
if (umask is { } mask)
{
    var folders = app.Services.GetRequiredService<IOptions<ArchiveOptions>>().Value;
    foreach (var folder in folders.TempPath is null ? new[] { folders.DataPath, folders.ResolveTempPath() } : [folders.DataPath])
    {
        if (PrivateFiles.Narrow(folder, mask))
        {
            ServerDefaults.LogFolderNarrowed(app.Logger, folder, PrivateFiles.Format(mask));
        }
    }
}

if (command is not null)
{
    // Disposed before the process ends, like the exchange verbs: the stores close cleanly (no staging folder left behind).
    await using (app.ConfigureAwait(false))
    {
        return await command.RunAsync(app.Services, Console.Out).ConfigureAwait(false);
    }
}

// The providers' options, the store's capabilities and the bucket are checked before anything starts or is written.
if (command is null)
{
    var refusals = await providers.CheckAsync(app.Services, CancellationToken.None).ConfigureAwait(false);
    if (refusals.Count > 0)
    {
        await app.DisposeAsync().ConfigureAwait(false);
        return ServerDefaults.Refuse(refusals);
    }
}

if (exchange is not null)
{
    // The engine's services are disposed before the process ends (the search index is closed, its lock released).
    await using (app.ConfigureAwait(false))
    {
        return await exchange.RunAsync(app.Services, Console.Out, Console.Error).ConfigureAwait(false);
    }
}

// One process writes a data folder at a time (its search index has one writer): while the server runs it holds
// DataPath/archive-server.lock, and the offline verbs refuse to run.
app.Lifetime.ApplicationStarted.Register(() => ServerDefaults.HoldDataFolder(app));

app.UseExceptionHandler();
app.UseStatusCodePages();
if (configuration.GetValue<bool>("Archive:Https"))
{
    // Behind TLS: redirect plain HTTP and send HSTS (off by default: the server listens on loopback HTTP).
    app.UseHsts();
    app.UseHttpsRedirection();
}

app.UseArchiveSecurity();

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

// The researcher reading room (phòng đọc): a page calling the endpoints above with the caller's own rights.
app.MapReadingRoom("/reading-room", o => o.ApiBase = prefix);

await app.RunAsync().ConfigureAwait(false);
return 0;

/// <summary>The standalone host's entry point (public for WebApplicationFactory in tests).</summary>
public partial class Program
{
}

/// <summary>Defaults of the standalone host.</summary>
internal static partial class ServerDefaults
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

    /// <summary>
    /// Takes the data folder's lock (<see cref="DataFolderLock"/>) until the host stops; when another process holds it,
    /// warns and carries on.
    /// </summary>
    public static void HoldDataFolder(WebApplication app)
    {
        var dataPath = app.Services.GetRequiredService<IOptions<ArchiveOptions>>().Value.DataPath;
        DataFolderLock? held = null;
        try
        {
            held = DataFolderLock.TryAcquire(dataPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        if (held is null)
        {
            LogDataFolderInUse(app.Logger, Path.Combine(dataPath, DataFolderLock.FileName));
            return;
        }

        app.Lifetime.ApplicationStopped.Register(held.Dispose);
    }

    /// <summary>
    /// Says on standard error why the server does not start (each line naming the key to change) and returns
    /// <see cref="ServerProviders.ConfigurationExitCode"/>.
    /// </summary>
    public static int Refuse(IReadOnlyList<string> reasons)
    {
        Console.Error.WriteLine("archive-server: not started, the configuration cannot work:");
        foreach (var reason in reasons)
        {
            Console.Error.WriteLine("  " + reason);
        }

        return ServerProviders.ConfigurationExitCode;
    }

    [LoggerMessage(EventId = 9001, EventName = "FolderNarrowed", Level = LogLevel.Warning, Message = "{Folder} granted group or others more than Archive:Umask {Umask} allows; narrowed")]
    public static partial void LogFolderNarrowed(ILogger logger, string folder, string umask);

    [LoggerMessage(EventId = 9000, EventName = "DataFolderInUse", Level = LogLevel.Warning, Message = "Another process holds {LockFile} (another server, or an offline verb such as handover export): two processes writing one data folder can damage its search index")]
    private static partial void LogDataFolderInUse(ILogger logger, string lockFile);

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
