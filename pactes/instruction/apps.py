from django.apps import AppConfig


class InstructionConfig(AppConfig):
    name = "pactes.instruction"
    label = "instruction"
    verbose_name = "Instruction"
