using EOffice.Host;
using Microsoft.AspNetCore.Authentication;

var builder = WebApplication.CreateBuilder(args);

// 1. The Archive engine on the embedded defaults (package Archive.Embedded): records in a local folder
//    (DataPath/store), Lucene.NET search (DataPath/index), the handover and transfer documents as XLSX/DOCX.
builder.Services.AddArchive(o => o.DataPath = Path.GetFullPath(builder.Configuration["Archive:DataPath"] ?? "archive-data"))
    .AddEmbeddedDefaults();

// 2. Archive's REST facade (package Archive.Api): authorization policies, rate limiting, health checks, OpenAPI.
builder.Services.AddArchiveApi();

// 3. The e-office's own authentication (its session tokens and users, section EOffice), and the mapping of its
//    users onto Archive's roles and claims (position -> role, unit -> agency, clearance).
builder.Services.AddAuthentication(EOfficeAuthentication.Scheme)
    .AddScheme<EOfficeAuthenticationOptions, EOfficeAuthenticationHandler>(EOfficeAuthentication.Scheme, o => builder.Configuration.GetSection("EOffice").Bind(o));
builder.Services.AddTransient<IClaimsTransformation, ArchiveClaimsMapping>();

var app = builder.Build();

app.UseArchiveSecurity();                       // security headers, authentication, rate limiting, authorization
app.MapHealthChecks("/health");                 // includes Archive's storage and search checks
app.MapGroup("/api/archive").MapArchive();      // fails here, at start-up, if a registration above is missing

app.Run();
