import LabKit
