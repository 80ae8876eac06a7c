"""Context shared by every page: the DSFR site configuration (from settings, no query) and the navigation."""

from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class SiteConfig:
    """What django-dsfr's header and footer read, fixed for the State service that runs Pactes."""

    site_title: str = "Pactes"
    site_tagline: str = "Pactes territoriaux des solidarités — DREETS et DDETS-PP d'Occitanie"
    header_brand: str = "Préfet de la région Occitanie"
    header_brand_html: str = "Préfet<br />de la région<br />Occitanie"
    footer_brand: str = "Préfet de la région Occitanie"
    footer_brand_html: str = "Préfet<br />de la région<br />Occitanie"
    footer_description: str = (
        "Pactes est le service de la DREETS Occitanie et des DDETS-PP pour les appels à projets des pactes "
        "territoriaux des solidarités : dépôt, instruction, comité, conventions et suivi."
    )
    notice_title: str = ""
    notice_description: str = ""
    notice_link: str = ""
    notice_type: str = "info"
    notice_icon_class: str = ""
    notice_is_collapsible: bool = False
    beta_tag: bool = False
    mourning: bool = False
    operator_logo_file: None = None
    operator_logo_alt: str = ""
    operator_logo_width: int = 0
    newsletter_description: str = ""
    newsletter_url: str = ""
    accessibility_status: str = "NOT"
    language: str = "fr"


SITE_CONFIG = SiteConfig()


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_CONFIG": SITE_CONFIG,
        "skiplinks": [
            {"link": "#content", "label": "Contenu"},
            {"link": "#fr-navigation", "label": "Menu"},
            {"link": "#footer", "label": "Pied de page"},
        ],
    }
