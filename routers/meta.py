"""Reference data for forms and displays: coded values with Thai and English labels, the
countries, and the official provinces, districts and subdistricts. Any signed-in role may read
them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Response

from auth.dependencies import AnyUser
from models.enums import (
    CaseStatus,
    Category,
    Channel,
    ClosureReason,
    ConsentStatus,
    Gender,
    IdType,
    LegalBasis,
    ReporterRelationship,
    TargetGroup,
    Urgency,
)
from models.meta import CodedValueList, CountryList, DistrictList, ProvinceList, SubdistrictList
from routers import API_PREFIX
from service.platform.errors import problem_schema_responses
from service.reference_data import meta
from service.reference_data.labels import Language, preferred_language

router = APIRouter(prefix=f"{API_PREFIX}/meta", tags=["reference data"])

# Reference data changes only with a release; clients (often offline) may keep it a while.
CACHE_CONTROL = "private, max-age=3600"
LABELLED: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "Content-Language": {
                "description": "`th` or `en`: the language of `label` and `name`.",
                "schema": {"type": "string", "enum": ["th", "en"]},
            }
        }
    }
}
CODED_ANSWERS = {**LABELLED, **problem_schema_responses(401, 422)}
AREA_ANSWERS = {**LABELLED, **problem_schema_responses(401, 404, 422)}


def chosen_language(
    response: Response,
    accept_language: Annotated[
        str | None,
        Header(
            max_length=1000,
            description="`en` for English labels; Thai otherwise (the default).",
        ),
    ] = None,
) -> Language:
    """The caller's language from Accept-Language, announced in Content-Language."""
    language = preferred_language(accept_language)
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"
    response.headers["Cache-Control"] = CACHE_CONTROL
    return language


ChosenLanguage = Annotated[Language, Depends(chosen_language)]
ProvinceCode = Annotated[str, Path(pattern=r"^[0-9]{2}$", description="2-digit province code.")]
DistrictCode = Annotated[str, Path(pattern=r"^[0-9]{4}$", description="4-digit district code.")]


@router.get("/categories", summary="Case categories", responses=CODED_ANSWERS)
async def list_categories(_user: AnyUser, language: ChosenLanguage) -> CodedValueList:
    """Case categories with their Thai and English labels."""
    return meta.coded_values(Category, language=language)


@router.get("/urgencies", summary="Urgency levels", responses=CODED_ANSWERS)
async def list_urgencies(_user: AnyUser, language: ChosenLanguage) -> CodedValueList:
    """Urgency levels, most urgent first, with their labels."""
    return meta.coded_values(Urgency, language=language)


@router.get("/statuses", summary="Case statuses", responses=CODED_ANSWERS)
async def list_statuses(_user: AnyUser, language: ChosenLanguage) -> CodedValueList:
    """Case statuses in lifecycle order, with their labels."""
    return meta.coded_values(CaseStatus, language=language)


@router.get("/closure-reasons", summary="Closure reasons", responses=CODED_ANSWERS)
async def list_closure_reasons(_user: AnyUser, language: ChosenLanguage) -> CodedValueList:
    """Reasons a case may be closed for, with their labels."""
    return meta.coded_values(ClosureReason, language=language)


@router.get("/channels", summary="Intake channels", responses=CODED_ANSWERS)
async def list_channels(_user: AnyUser, language: ChosenLanguage) -> CodedValueList:
    """Channels a case can reach the center through, with their labels."""
    return meta.coded_values(Channel, language=language)


@router.get("/id-types", summary="Identity document types", responses=CODED_ANSWERS)
async def list_id_types(_user: AnyUser, language: ChosenLanguage) -> CodedValueList:
    """Identity documents a client's id number can come from, with their labels."""
    return meta.coded_values(IdType, language=language)


@router.get("/genders", summary="Genders", responses=CODED_ANSWERS)
async def list_genders(_user: AnyUser, language: ChosenLanguage) -> CodedValueList:
    """Genders recorded at intake, with their labels."""
    return meta.coded_values(Gender, language=language)


@router.get("/reporter-relationships", summary="Reporter relationships", responses=CODED_ANSWERS)
async def list_reporter_relationships(_user: AnyUser, language: ChosenLanguage) -> CodedValueList:
    """Who a reporter can be to the client, with their labels."""
    return meta.coded_values(ReporterRelationship, language=language)


@router.get("/legal-bases", summary="Legal bases for processing", responses=CODED_ANSWERS)
async def list_legal_bases(_user: AnyUser, language: ChosenLanguage) -> CodedValueList:
    """PDPA bases for processing a client's data, with their labels."""
    return meta.coded_values(LegalBasis, language=language)


@router.get("/consent-statuses", summary="Consent answers", responses=CODED_ANSWERS)
async def list_consent_statuses(_user: AnyUser, language: ChosenLanguage) -> CodedValueList:
    """Answers a client can give to the collection of their data, with their labels."""
    return meta.coded_values(ConsentStatus, language=language)


@router.get("/target-groups", summary="Target groups", responses=CODED_ANSWERS)
async def list_target_groups(_user: AnyUser, language: ChosenLanguage) -> CodedValueList:
    """Target groups derived from a client's age, disability and pregnancy, with labels."""
    return meta.coded_values(TargetGroup, language=language)


@router.get("/countries", summary="Countries", responses=CODED_ANSWERS)
async def list_countries(_user: AnyUser, language: ChosenLanguage) -> CountryList:
    """Every country of ISO 3166-1 with its code and Thai and English names (for locations
    abroad)."""
    return meta.countries(language=language)


@router.get("/provinces", summary="Provinces", responses=CODED_ANSWERS)
async def list_provinces(_user: AnyUser, language: ChosenLanguage) -> ProvinceList:
    """Every province with its official code and Thai and English names."""
    return meta.provinces(language=language)


@router.get(
    "/provinces/{code}/districts", summary="Districts of a province", responses=AREA_ANSWERS
)
async def list_districts(
    code: ProvinceCode, _user: AnyUser, language: ChosenLanguage
) -> DistrictList:
    """The districts of a province with their official codes and names."""
    return meta.districts(code, language=language)


@router.get(
    "/districts/{code}/subdistricts", summary="Subdistricts of a district", responses=AREA_ANSWERS
)
async def list_subdistricts(
    code: DistrictCode, _user: AnyUser, language: ChosenLanguage
) -> SubdistrictList:
    """The subdistricts of a district with their codes, names and postal codes."""
    return meta.subdistricts(code, language=language)
