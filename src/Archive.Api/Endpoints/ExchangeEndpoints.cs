using System.Globalization;
using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.Mapping;
using Archive.Api.OpenApi;
using Archive.Api.Security;
using Archive.Exchange;
using Archive.Transfer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Archive.Api.Endpoints;

/// <summary>
/// The second half of a reorganisation over HTTP, mapped onto <see cref="PackageExchangeService"/> (no rule lives here):
/// handover packages for the successor (<c>/handovers</c>) and their receipt (<c>/handover-receipts</c>), submission
/// packages for the Historical Archives (<c>/transfers</c>) and their accession there (<c>/accessions</c>). Builds,
/// verifications and acceptances run as background jobs: the answer is 202 with the job, which the client polls.
/// Packages download with ETag (their SHA-256) and Range; uploads are resumable (Content-Range chunks).
/// </summary>
internal static class ExchangeEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var handovers = routes.MapGroup("/handovers").WithTags("Handover");
        handovers.MapPost("/", StartHandover).WithName("StartHandover").RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Start building a handover package (bàn giao): the fonds' finished and unfinished record files, catalogue, list of unfinished files, handover record; sealed when the server has a seal certificate")
            .WithDescription("Answers 202 with the job; poll GET /handovers/{id} until state is completed (or failed). The receiving agency is the request's, or the successor "
                + "the reorganisation event names for the fonds. Weeded (non-archival) files and documents are left out. For the handing agency (the fonds' creator or "
                + "custodian) or an administrator.")
            .AcceptsJson<StartHandoverRequest>()
            .Produces<PackageJobDto>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        MapJob(handovers, "Handover", "Handovers", PackageJobKind.HandoverExport, ArchivePolicies.Manage);
        MapDownloads(handovers, "Handover", PackageJobKind.HandoverExport);

        var receipts = routes.MapGroup("/handover-receipts").WithTags("Handover");
        MapReceipt(receipts, "HandoverReceipt", "HandoverReceipts", PackageJobKind.HandoverReceipt, ArchivePolicies.Manage,
            "Open the receipt of a handover package at the successor: announce the length of an upload, or name a package on a server folder (storage device)",
            "Accept a verified handover package: custody of the fonds passes to the receiving agency (audited); the package is verified again as it is accepted");

        var transfers = routes.MapGroup("/transfers").WithTags("Transfer");
        transfers.MapPost("/", StartTransfer).WithName("StartTransfer").RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Start building a submission package (nộp lưu, E-ARK SIP, METS sealed) of permanent record files for the Historical Archives")
            .WithDescription("Answers 202 with the job; poll GET /transfers/{id}. The files: fileCodes, or the transfer due list (GET /retention/due/transfer) as of asOf. "
                + "For the submitting agency or an administrator.")
            .AcceptsJson<StartTransferRequest>()
            .Produces<PackageJobDto>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        MapJob(transfers, "Transfer", "Transfers", PackageJobKind.TransferExport, ArchivePolicies.Manage);
        MapDownloads(transfers, "Transfer", PackageJobKind.TransferExport);
        transfers.MapPost("/{id}/confirmation", ConfirmTransfer).WithName("ConfirmTransfer").RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Record back the transfer record the Historical Archives completed at accession: the transferred files are marked accessioned here")
            .WithDescription("Body: the transferRecord of the Historical Archives' accession job (GET /accessions/{id}). Safe to repeat. For the submitting agency.")
            .AcceptsJson<TransferRecordDto>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var accessions = routes.MapGroup("/accessions").WithTags("Accession");
        MapReceipt(accessions, "Accession", "Accessions", PackageJobKind.Accession, ArchivePolicies.Accession,
            "Open the accession of a submission package at the Historical Archives: announce the length of an upload, or name a package on a server folder",
            "Accession a verified package: record files become accessioned (Public ones open in the reading room; others keep their access level); the completed transfer record and deposit catalogue become documents");
        MapDocument(accessions, "Accession", PackageJobKind.Accession);
    }

    private static void MapJob(RouteGroupBuilder group, string one, string many, PackageJobKind kind, string changePolicy)
    {
        group.MapGet("/", (HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, CancellationToken ct) => List(http, exchange, mapper, kind, ct))
            .WithName("List" + many).RequireAuthorization(ArchivePolicies.Read)
            .WithSummary($"List the {Words(kind)} jobs of the caller's agencies (all for administrators), newest first");
        group.MapGet("/{id}", (string id, HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, CancellationToken ct) => Get(id, http, exchange, mapper, kind, ct))
            .WithName("Get" + one).RequireAuthorization(ArchivePolicies.Read)
            .WithSummary($"Get a {Words(kind)} job: state, files and bytes done/total, errors, the verification report, the seal")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", (string id, HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, CancellationToken ct) => Cancel(id, http, exchange, mapper, kind, ct))
            .WithName("Cancel" + one).RequireAuthorization(changePolicy)
            .WithSummary($"Cancel a queued, running, uploading or verifying {Words(kind)} job: its files are removed, nothing is committed")
            .WithDescription("Answers the cancelled job.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static void MapDownloads(RouteGroupBuilder group, string one, PackageJobKind kind)
    {
        group.MapGet("/{id}/package", (string id, HttpContext http, PackageExchangeService exchange, CancellationToken ct) => DownloadPackage(id, http, exchange, kind, ct))
            .WithName($"Download{one}Package").WithETag().RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Download the package (application/x-tar): ETag = its SHA-256, Range to resume a multi-GB download, If-None-Match")
            .WithDescription("Only for callers cleared for every record file in the package (403 otherwise). Audited.")
            .Produces<Stream>(StatusCodes.Status200OK, "application/x-tar")
            .Produces<Stream>(StatusCodes.Status206PartialContent, "application/x-tar")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status416RangeNotSatisfiable);
        group.MapGet("/{id}/seal", (string id, HttpContext http, PackageExchangeService exchange, CancellationToken ct) => DownloadSeal(id, http, exchange, kind, ct))
            .WithName($"Download{one}Seal").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Download the package's detached seal (application/pkcs7-signature): CMS SignedData over the line \"<sha256>  <package name>\"")
            .WithDescription("404 when the package is unsealed (the server has no seal certificate; the job's sealNote says so). Inside the package, the bag's tag manifest (handover) or METS.xml (transfer) carries its own seal too.")
            .Produces<Stream>(StatusCodes.Status200OK, "application/pkcs7-signature")
            .ProducesProblem(StatusCodes.Status404NotFound);
        MapDocument(group, one, kind);
    }

    private static void MapDocument(RouteGroupBuilder group, string one, PackageJobKind kind)
    {
        group.MapGet("/{id}/documents/{name}", (string id, string name, HttpContext http, PackageExchangeService exchange, CancellationToken ct) => DownloadDocument(id, name, http, exchange, kind, ct))
            .WithName($"Download{one}Document").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary(kind == PackageJobKind.Accession
                ? "Download a confirmation document (mục lục hồ sơ, tài liệu nộp lưu; biên bản giao nhận tài liệu nộp lưu) as JSON, CSV, XLSX or DOCX"
                : "Download one of the package's documents on its own (catalogue XLSX/DOCX/CSV/JSON, list of unfinished files, handover or transfer record), identical to the one inside")
            .WithDescription("The names are the job's documents[]. Only for callers cleared for every record file listed.")
            .Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static void MapReceipt(RouteGroupBuilder group, string one, string many, PackageJobKind kind, string policy, string openSummary, string acceptSummary)
    {
        group.MapPost("/", (HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, CancellationToken ct) => Open(http, exchange, mapper, kind, ct))
            .WithName("Open" + one).RequireAuthorization(policy)
            .WithSummary(openSummary)
            .WithDescription("Give length (and optionally sha256), then PUT the bytes to .../{id}/package; or give sourcePath (a tar or bag folder under the server's "
                + "Archive:Exchange:ImportRoots), which is verified at once. Verification checks hostile tar entries, every checksum, missing and extra files, the seal "
                + "against the server's trust list, the catalogue against the content, the receiving agency; the job's problems[] list every discrepancy by file. "
                + "For users of the receiving agency" + (kind == PackageJobKind.Accession ? " in the historical-archives role" : string.Empty) + ".")
            .AcceptsJson<OpenReceiptRequest>()
            .Produces<PackageJobDto>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        MapJob(group, one, many, kind, policy);
        group.MapPut("/{id}/package", (string id, HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, CancellationToken ct) => Upload(id, http, exchange, mapper, kind, ct))
            .WithName($"Upload{one}Package").RequireAuthorization(policy)
            .WithSummary("Upload the package's bytes, whole or in chunks (Content-Range: bytes first-last/length), resumable after an interruption")
            .WithDescription("Raw body (application/octet-stream or application/x-tar). A chunk must start at the job's bytesDone (409 upload.offset otherwise: GET the job "
                + "and continue from there). Each chunk is stored before the answer. The last chunk starts the verification (state verifying).")
            .Accepts<Stream>("application/octet-stream", "application/x-tar", "*/*")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/accept", (string id, HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, CancellationToken ct) => Accept(id, http, exchange, mapper, kind, ct))
            .WithName("Accept" + one).RequireAuthorization(policy)
            .WithSummary(acceptSummary)
            .WithDescription("Only a verified package (409 otherwise). Answers 202; poll the job until accepted (or rejected: something changed since verification; nothing changed here).")
            .AcceptsJson<AcceptPackageRequest>(isOptional: true)
            .Produces<PackageJobDto>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/decline", (string id, HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, CancellationToken ct) => Decline(id, http, exchange, mapper, kind, ct))
            .WithName("Decline" + one).RequireAuthorization(policy)
            .WithSummary("Decline a verified or rejected package with a reason: nothing changes, the received files are removed (audited)")
            .WithDescription("Answers the declined job.")
            .AcceptsJson<DeclinePackageRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<Accepted<PackageJobDto>> StartHandover(HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<StartHandoverRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var job = await exchange.StartHandoverAsync(mapper.Map<HandoverJobRequest>(body), HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted(Links.Child(http, job.Id), mapper.Map<PackageJobDto>(job));
    }

    private static async Task<Accepted<PackageJobDto>> StartTransfer(HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<StartTransferRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var job = await exchange.StartTransferAsync(mapper.Map<TransferJobRequest>(body), HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted(Links.Child(http, job.Id), mapper.Map<PackageJobDto>(job));
    }

    private static async Task<Ok<PackageJobDto>> ConfirmTransfer(string id, HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<TransferRecordDto>(http.Request, cancellationToken).ConfigureAwait(false);
        await OfAsync(id, http, exchange, PackageJobKind.TransferExport, cancellationToken).ConfigureAwait(false);
        var job = await exchange.ConfirmTransferAsync(id, mapper.Map<TransferRecordData>(body), HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(mapper.Map<PackageJobDto>(job));
    }

    private static async Task<Created<PackageJobDto>> Open(HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, PackageJobKind kind, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<OpenReceiptRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var job = await exchange.OpenReceiptAsync(kind, mapper.Map<ReceiptRequest>(body), HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Created(Links.Child(http, job.Id), mapper.Map<PackageJobDto>(job));
    }

    private static async Task<Ok<List<PackageJobDto>>> List(HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, PackageJobKind kind, CancellationToken cancellationToken)
        => TypedResults.Ok((await exchange.ListAsync(kind, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false)).Select(mapper.Map<PackageJobDto>).ToList());

    private static async Task<Ok<PackageJobDto>> Get(string id, HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, PackageJobKind kind, CancellationToken cancellationToken)
        => TypedResults.Ok(mapper.Map<PackageJobDto>(await OfAsync(id, http, exchange, kind, cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<PackageJobDto>> Cancel(string id, HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, PackageJobKind kind, CancellationToken cancellationToken)
    {
        await OfAsync(id, http, exchange, kind, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(mapper.Map<PackageJobDto>(await exchange.CancelAsync(id, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<Ok<PackageJobDto>> Upload(string id, HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, PackageJobKind kind, CancellationToken cancellationToken)
    {
        await OfAsync(id, http, exchange, kind, cancellationToken).ConfigureAwait(false);
        var offset = 0L;
        if (http.Request.Headers.ContentRange is { Count: > 0 } range)
        {
            if (!ContentRangeHeaderValue.TryParse(range.ToString(), out var parsed) || !parsed.HasRange || parsed.Unit != "bytes" || parsed.From is null)
            {
                throw ApiRequestException.BadRequest("Content-Range", "content-range.format", "Content-Range must be 'bytes first-last/length', e.g. bytes 0-1048575/5368709120.");
            }

            offset = parsed.From.Value;
            if (http.Request.ContentLength is { } length && parsed.To is { } to && to - offset + 1 != length)
            {
                throw ApiRequestException.BadRequest("Content-Range", "content-range.length", string.Create(CultureInfo.InvariantCulture, $"Content-Range covers {to - offset + 1} bytes, the body has {length}."));
            }
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null; // the engine refuses more bytes than the receipt announced
        }

        var job = await exchange.UploadAsync(id, offset, http.Request.Body, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(mapper.Map<PackageJobDto>(job));
    }

    private static async Task<Accepted<PackageJobDto>> Accept(string id, HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, PackageJobKind kind, CancellationToken cancellationToken)
    {
        var body = http.Request.ContentLength is 0 || (http.Request.ContentLength is null && string.IsNullOrEmpty(http.Request.ContentType))
            ? new AcceptPackageRequest()
            : await JsonBody.ReadAsync<AcceptPackageRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        await OfAsync(id, http, exchange, kind, cancellationToken).ConfigureAwait(false);
        var job = await exchange.AcceptAsync(id, mapper.Map<AcceptRequest>(body), HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted(Links.Sibling(http, id), mapper.Map<PackageJobDto>(job));
    }

    private static async Task<Ok<PackageJobDto>> Decline(string id, HttpContext http, PackageExchangeService exchange, ArchiveApiMapper mapper, PackageJobKind kind, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<DeclinePackageRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        await OfAsync(id, http, exchange, kind, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(mapper.Map<PackageJobDto>(await exchange.DeclineAsync(id, body.Reason, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<FileStreamHttpResult> DownloadPackage(string id, HttpContext http, PackageExchangeService exchange, PackageJobKind kind, CancellationToken cancellationToken)
    {
        var job = await OfAsync(id, http, exchange, kind, cancellationToken).ConfigureAwait(false);
        var file = await exchange.OpenPackageAsync(id, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Stream(file.Content, "application/x-tar", file.Name, file.LastModified, new EntityTagHeaderValue("\"" + (job.PackageSha256 ?? file.Sha256) + "\""), enableRangeProcessing: true);
    }

    private static async Task<FileStreamHttpResult> DownloadSeal(string id, HttpContext http, PackageExchangeService exchange, PackageJobKind kind, CancellationToken cancellationToken)
    {
        await OfAsync(id, http, exchange, kind, cancellationToken).ConfigureAwait(false);
        var file = await exchange.OpenSealAsync(id, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Stream(file.Content, "application/pkcs7-signature", file.Name);
    }

    private static async Task<FileStreamHttpResult> DownloadDocument(string id, string name, HttpContext http, PackageExchangeService exchange, PackageJobKind kind, CancellationToken cancellationToken)
    {
        await OfAsync(id, http, exchange, kind, cancellationToken).ConfigureAwait(false);
        var file = await exchange.OpenDocumentAsync(id, name, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        var type = Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".json" => "application/json",
            ".csv" => "text/csv; charset=utf-8",
            ".pdf" => "application/pdf",
            _ => "application/octet-stream",
        };
        return TypedResults.Stream(file.Content, type, file.Name, file.LastModified, enableRangeProcessing: true);
    }

    /// <summary>The job, when it is of the route's kind and the caller may see it (404 otherwise).</summary>
    private static async Task<PackageJob> OfAsync(string id, HttpContext http, PackageExchangeService exchange, PackageJobKind kind, CancellationToken cancellationToken)
    {
        var job = await exchange.GetAsync(id, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return job.Kind == kind ? job : throw new ArchiveNotFoundException(Words(kind), id);
    }

    private static string Words(PackageJobKind kind) => kind switch
    {
        PackageJobKind.HandoverExport => "handover",
        PackageJobKind.TransferExport => "transfer",
        PackageJobKind.HandoverReceipt => "handover receipt",
        _ => "accession",
    };
}
