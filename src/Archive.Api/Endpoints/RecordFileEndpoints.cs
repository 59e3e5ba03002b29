using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.Mapping;
using Archive.Api.Security;
using Archive.Api.OpenApi;
using Archive.Indexing;
using Archive.Records;
using Archive.Retention;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Archive.Api.Endpoints;

/// <summary>Record files (hồ sơ), their documents (văn bản), versions, weeding, legal hold and fixity.</summary>
internal static class RecordFileEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var files = routes.MapGroup("/record-files").WithTags("Record files");
        files.MapGet("/", List).WithName("ListRecordFiles").RequireAuthorization(ArchivePolicies.Read).WithSummary("List record files (hồ sơ), filtered by fonds, agency and status");
        files.MapPost("/", Create).WithName("CreateRecordFile").WithETag().RequireAuthorization(ArchivePolicies.Write).WithSummary("Create a record file in an open fonds")
            .AcceptsJson<RecordFileRequest>().ProducesProblem(StatusCodes.Status409Conflict);
        files.MapGet("/{fileCode}", Get).WithName("GetRecordFile").WithETag().RequireAuthorization(ArchivePolicies.Read).WithSummary("Get a record file at its head version (ETag = \"v{version}\")")
            .ProducesProblem(StatusCodes.Status404NotFound);
        files.MapPut("/{fileCode}", Update).WithName("UpdateRecordFile").WithETag().RequireAuthorization(ArchivePolicies.Write).WithSummary("Replace a record file's elements (If-Match required)")
            .AcceptsJson<RecordFileRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        files.MapGet("/{fileCode}/history", History).WithName("GetRecordFileHistory").RequireAuthorization(ArchivePolicies.Read).WithSummary("Every version of a record file: who, when, why")
            .ProducesProblem(StatusCodes.Status404NotFound);
        files.MapGet("/{fileCode}/versions/{version:int}", GetVersion).WithName("GetRecordFileVersion").WithETag().RequireAuthorization(ArchivePolicies.Read).WithSummary("A record file as it was at a past version")
            .ProducesProblem(StatusCodes.Status404NotFound);
        files.MapGet("/{fileCode}/fixity", Fixity).WithName("VerifyRecordFile").RequireAuthorization(ArchivePolicies.Read).WithSummary("Fixity check: re-hash every stored file of the record file's package")
            .ProducesProblem(StatusCodes.Status404NotFound);

        files.MapPost("/{fileCode}/documents", AddDocument).WithName("AddDocument").WithETag().RequireAuthorization(ArchivePolicies.Write).WithSummary("Add a document (văn bản) to a record file (If-Match optional)")
            .AcceptsJson<DocumentRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        files.MapGet("/{fileCode}/documents/{docOrdinal:int}", GetDocument).WithName("GetDocument").WithETag().RequireAuthorization(ArchivePolicies.Read).WithSummary("Get one document of a record file")
            .ProducesProblem(StatusCodes.Status404NotFound);
        files.MapPut("/{fileCode}/documents/{docOrdinal:int}", UpdateDocument).WithName("UpdateDocument").WithETag().RequireAuthorization(ArchivePolicies.Write).WithSummary("Replace a document's elements (If-Match required)")
            .AcceptsJson<DocumentRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);

        files.MapPost("/{fileCode}/non-archival", MarkNonArchival).WithName("MarkNonArchival").WithETag().RequireAuthorization(ArchivePolicies.Manage).WithSummary("Weed a record file or document out as non-archival (loại ra)")
            .AcceptsJson<MarkNonArchivalRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        files.MapPost("/{fileCode}/non-archival/clear", ClearNonArchival).WithName("ClearNonArchival").WithETag().RequireAuthorization(ArchivePolicies.Manage).WithSummary("Take a weeding mark back")
            .AcceptsJson<ClearNonArchivalRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        files.MapPost("/{fileCode}/legal-hold", LegalHold).WithName("SetLegalHold").WithETag().RequireAuthorization(ArchivePolicies.Manage).WithSummary("Place or lift a legal hold (freeze)")
            .AcceptsJson<LegalHoldRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);

        routes.MapGet("/non-archival", ListNonArchival).WithTags("Record files").WithName("ListNonArchival").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Weeded-out material (whole record files and single documents), listed apart");
    }

    private static async Task<Ok<RecordFilePageDto>> List(
        HttpContext http,
        RecordFileService files,
        ArchiveApiMapper mapper,
        [FromQuery] string? fondsCode,
        [FromQuery] string? agencyId,
        [FromQuery] string? status,
        [FromQuery] int? pageSize,
        [FromQuery] string? after,
        CancellationToken cancellationToken)
    {
        var size = RequestContext.ListPageSize(http, pageSize);

        // One spelling per value: Finished, Unfinished, Accessioned as in record files and search; the lower-case one is read too.
        var indexedStatus = status is null ? null : Mapping.ContractValues.StatusToIndexed(status);
        if (status is not null && indexedStatus is null)
        {
            throw ApiRequestException.BadRequest("status", "status.value", "status is Finished, Unfinished or Accessioned.");
        }

        // The engine's cursor: the listing resumes after the last file code of the previous page (nextAfter).
        var items = new List<RecordFileDto>();
        string? next = null;
        var query = new RecordFileQuery { FondsCode = fondsCode, AgencyId = agencyId, After = string.IsNullOrEmpty(after) ? null : after };
        await foreach (var file in files.ListAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if ((indexedStatus is not null && SearchProjection.StatusOf(file.Value) != indexedStatus) || !await ArchiveScope.CanReadAsync(http, file.Value, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            if (items.Count == size)
            {
                next = items[^1].FileCode;
                break;
            }

            items.Add(mapper.Map<RecordFileDto>(file));
        }

        return TypedResults.Ok(new RecordFilePageDto { Items = items, NextAfter = next });
    }

    private static async Task<Created<RecordFileDto>> Create([FromQuery] string? wait, [FromQuery] int? timeoutMs, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var waitFor = ProjectionWait.Parse(wait, timeoutMs);
        var body = await JsonBody.ReadAsync<RecordFileRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var input = ToInput(body, mapper);
        await ArchiveScope.RequireChangeAsync(http, input.FondsCode, "fonds", input.FondsCode, cancellationToken).ConfigureAwait(false);
        WriteResult<RecordFile> result;
        try
        {
            result = await files.CreateAsync(input, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        }
        catch (ArchiveConflictException ex) when (ex.Rule == ConflictRules.AlreadyExists && ex.Entity == "record-file")
        {
            await ArchiveScope.AuditCodeCollisionAsync(http, ex.Id, cancellationToken).ConfigureAwait(false);
            throw;
        }

        ETags.SetVersion(http.Response, result.Stored.Version);
        return TypedResults.Created(Links.Child(http, result.Stored.Value.FileCode), await ToDtoAsync(files, result, mapper, waitFor, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Ok<RecordFileDto>> Get(string fileCode, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var file = await ArchiveScope.VisibleAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        await ArchiveScope.AuditReadAsync(http, Archive.Audit.AuditActions.RecordRead, "record-file", fileCode, null, cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, file.Version);
        var projection = await files.GetProjectionAsync(fileCode, file.Version, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(mapper.Map<RecordFileDto>(file) with { Projection = ProjectionWait.ToDto(projection) });
    }

    private static async Task<Ok<RecordFileDto>> Update(string fileCode, [FromQuery] string? wait, [FromQuery] int? timeoutMs, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var waitFor = ProjectionWait.Parse(wait, timeoutMs);
        var expected = ETags.ExpectedVersion(http.Request, required: true);
        var body = await JsonBody.ReadAsync<RecordFileRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        _ = await ArchiveScope.ChangeableAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        var result = await files.UpdateAsync(fileCode, ToInput(body, mapper), expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        return await WrittenAsync(http, files, result, mapper, waitFor, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Ok<List<VersionInfoDto>>> History(string fileCode, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        _ = await ArchiveScope.VisibleAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        var history = await files.GetHistoryAsync(fileCode, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(history.Select(mapper.Map<VersionInfoDto>).ToList());
    }

    private static async Task<Ok<RecordFileDto>> GetVersion(string fileCode, int version, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        _ = await ArchiveScope.VisibleAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        var file = await files.GetVersionAsync(fileCode, version, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("version", $"{fileCode}/v{version}");
        ETags.SetVersion(http.Response, file.Version);
        return TypedResults.Ok(mapper.Map<RecordFileDto>(file));
    }

    private static async Task<Ok<FixityReportDto>> Fixity(string fileCode, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        _ = await ArchiveScope.VisibleAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        var report = await files.VerifyAsync(fileCode, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(mapper.Map<FixityReportDto>(report));
    }

    private static async Task<Created<RecordFileDto>> AddDocument(string fileCode, [FromQuery] string? wait, [FromQuery] int? timeoutMs, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var waitFor = ProjectionWait.Parse(wait, timeoutMs);
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<DocumentRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        _ = await ArchiveScope.ChangeableAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        var result = await files.AddDocumentAsync(fileCode, mapper.Map<DocumentInput>(body), expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, result.Stored.Version);
        var ordinal = body.DocOrdinal ?? result.Stored.Value.Documents.Max(d => d.DocOrdinal);
        return TypedResults.Created(Links.Child(http, ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture)), await ToDtoAsync(files, result, mapper, waitFor, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Ok<DocumentDto>> GetDocument(string fileCode, int docOrdinal, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var file = await ArchiveScope.VisibleAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        var document = file.Value.Documents.FirstOrDefault(d => d.DocOrdinal == docOrdinal)
            ?? throw new ArchiveNotFoundException("document", $"{fileCode}/{docOrdinal}");
        await ArchiveScope.AuditReadAsync(http, Archive.Audit.AuditActions.RecordRead, "document", $"{fileCode}/{docOrdinal}", null, cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, file.Version);
        return TypedResults.Ok(mapper.Map<DocumentDto>(document));
    }

    private static async Task<Ok<RecordFileDto>> UpdateDocument(string fileCode, int docOrdinal, [FromQuery] string? wait, [FromQuery] int? timeoutMs, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var waitFor = ProjectionWait.Parse(wait, timeoutMs);
        var expected = ETags.ExpectedVersion(http.Request, required: true);
        var body = await JsonBody.ReadAsync<DocumentRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        _ = await ArchiveScope.ChangeableAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        var result = await files.UpdateDocumentAsync(fileCode, docOrdinal, mapper.Map<DocumentInput>(body), expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        return await WrittenAsync(http, files, result, mapper, waitFor, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Ok<RecordFileDto>> MarkNonArchival(string fileCode, [FromQuery] string? wait, [FromQuery] int? timeoutMs, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var waitFor = ProjectionWait.Parse(wait, timeoutMs);
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<MarkNonArchivalRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        _ = await ArchiveScope.ChangeableAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        var result = await files.MarkNonArchivalAsync(fileCode, body.DocOrdinal, body.Kind, body.Reason, expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        return await WrittenAsync(http, files, result, mapper, waitFor, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Ok<RecordFileDto>> ClearNonArchival(string fileCode, [FromQuery] string? wait, [FromQuery] int? timeoutMs, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var waitFor = ProjectionWait.Parse(wait, timeoutMs);
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<ClearNonArchivalRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        _ = await ArchiveScope.ChangeableAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        var result = await files.ClearNonArchivalAsync(fileCode, body.DocOrdinal, body.Reason, expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        return await WrittenAsync(http, files, result, mapper, waitFor, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Ok<RecordFileDto>> LegalHold(string fileCode, [FromQuery] string? wait, [FromQuery] int? timeoutMs, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var waitFor = ProjectionWait.Parse(wait, timeoutMs);
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<LegalHoldRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        _ = await ArchiveScope.ChangeableAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        var result = await files.SetLegalHoldAsync(fileCode, body.Hold, body.Reason, expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        return await WrittenAsync(http, files, result, mapper, waitFor, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Ok<List<NonArchivalEntryDto>>> ListNonArchival(HttpContext http, RecordFileService files, ArchiveApiMapper mapper, [FromQuery] string? agencyId, CancellationToken cancellationToken)
    {
        var list = new List<NonArchivalEntryDto>();
        await foreach (var entry in files.ListNonArchivalAsync(agencyId, cancellationToken).ConfigureAwait(false))
        {
            if (await files.GetAsync(entry.FileCode, cancellationToken).ConfigureAwait(false) is not { } file
                || !await ArchiveScope.CanReadAsync(http, file.Value, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            list.Add(mapper.Map<NonArchivalEntryDto>(entry));
        }

        return TypedResults.Ok(list);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    internal static async Task<Ok<RecordFileDto>> WrittenAsync(HttpContext http, RecordFileService files, WriteResult<RecordFile> result, ArchiveApiMapper mapper, TimeSpan? wait, CancellationToken cancellationToken)
    {
        ETags.SetVersion(http.Response, result.Stored.Version);
        return TypedResults.Ok(await ToDtoAsync(files, result, mapper, wait, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The response of a write: the stored state, its warnings and its projection state (after the wait, when asked).</summary>
    internal static async Task<RecordFileDto> ToDtoAsync(RecordFileService files, WriteResult<RecordFile> result, ArchiveApiMapper mapper, TimeSpan? wait, CancellationToken cancellationToken)
        => mapper.Map<RecordFileDto>(result.Stored) with
        {
            Warnings = result.Warnings.Select(mapper.Map<FieldError>).ToList(),
            Projection = await ProjectionWait.AfterWriteAsync(files, result, wait, cancellationToken).ConfigureAwait(false),
        };

    internal static RecordFileInput ToInput(RecordFileRequest body, ArchiveApiMapper mapper)
    {
        var input = mapper.Map<RecordFileInput>(body);
        return string.IsNullOrWhiteSpace(body.Maintenance)
            ? input
            : input with { Maintenance = RetentionPeriod.Parse(body.Maintenance, "maintenance") };
    }
}
